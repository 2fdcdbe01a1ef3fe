#include <libxml/xmlwriter.h>
#include <libxml/xmlIO.h>
