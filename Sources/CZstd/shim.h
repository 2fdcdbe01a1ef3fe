// libzstd (Debian's libzstd-dev), for Parquet pages compressed with ZSTD.
#include <zstd.h>
