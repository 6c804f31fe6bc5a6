# Writes OUTPUT, a C++ source defining llmd::admin::status_page_html(), from the HTML file INPUT:
#   cmake -DINPUT=status_page.html -DTEMPLATE=status_page.cpp.in -DOUTPUT=status_page.cpp -P embed_page.cmake
# The page goes in verbatim as a raw string literal, so it stays a real HTML file to edit.
set(delimiter "llmd_page")
file(READ "${INPUT}" LLMD_STATUS_PAGE)
string(FIND "${LLMD_STATUS_PAGE}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains `)${delimiter}\"`, which would end the raw string literal early")
endif()
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
# configure_file leaves an unchanged output's time alone; the build would then run this again and
# again to bring it up to date with the page.
file(TOUCH "${OUTPUT}")
