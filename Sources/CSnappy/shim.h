// libsnappy's C API (Debian's libsnappy-dev), for Parquet pages compressed with SNAPPY.
#include <snappy-c.h>
