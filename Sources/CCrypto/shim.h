// OpenSSL's libcrypto, for SHA-256 only (the manifest's checksums): its
// SHA-NI/AVX2 code hashes ~10x faster than portable code, which matters when
// every byte of a multi-GB export is hashed.
#include <openssl/evp.h>
