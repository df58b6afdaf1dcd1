# Writes a compiled catalog (.mo) as a C++ source holding its bytes, so the binary carries its
# translations and needs no installed locale or catalog file (gate/base/i18n.hpp).
#   cmake -DINPUT=fr.mo -DOUTPUT=catalog_fr.cpp -DNAME=fr -P embed_catalog.cmake
file(READ "${INPUT}" bytes HEX)
string(LENGTH "${bytes}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${bytes}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from po/${NAME}.po by po/embed_catalog.cmake: do not edit.\n"
  "#include <cstddef>\n"
  "extern \"C\" const unsigned char opsgate_catalog_${NAME}[] = {\n${bytes}0x00};\n"
  "extern \"C\" const std::size_t opsgate_catalog_${NAME}_size = ${size};\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
