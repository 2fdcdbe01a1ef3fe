/*
 * Debian's libxml2 is built with ICU, so its encoding.h pulls in the system's
 * <unicode/ucnv.h>. Foundation on Linux ships its own ICU (_FoundationICU)
 * whose UErrorCode differs, and clang refuses two definitions in one program.
 * wxcube only writes UTF-8 through xmlTextWriter and never touches the
 * encoding handler structs whose layout depends on this macro, so the ICU
 * part of the headers is switched off here: xmlversion.h is read first (its
 * include guard keeps later includes from defining the macro again).
 */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlwriter.h>
#include <libxml/xmlIO.h>
