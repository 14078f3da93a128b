# SPDX-License-Identifier: MIT
# Writes the page (INPUT) into a C++ source (OUTPUT) as kStatusHtml and kStatusHtmlSize, one
# byte per hex literal, so that any byte of the page survives.
file(READ ${INPUT} bytes HEX)
string(LENGTH "${bytes}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${bytes}")
file(WRITE ${OUTPUT} "// Generated from web/status.html by src/status/embed_html.cmake.\n"
                     "#include <cstddef>\nnamespace meteremu {\n"
                     "extern const unsigned char kStatusHtml[];\n"
                     "extern const std::size_t kStatusHtmlSize;\n"
                     "const unsigned char kStatusHtml[] = {${bytes}0x00};\n"
                     "const std::size_t kStatusHtmlSize = ${size};\n}\n")
