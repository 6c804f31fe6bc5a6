// GET / and GET /status: the operator's status page, one self-contained HTML file
// (src/admin/status_page.html) compiled into the binary. It reads /admin/backends and /metrics
// from the browser every 2 s; the server only hands it out.
#pragma once

#include <string_view>

namespace llmd::admin {

// The page, byte for byte as src/admin/status_page.html has it (UTF-8).
std::string_view status_page_html();

// What the page may do: its own inline style and script, fetches to its own origin, nothing
// else (no images, fonts, frames, forms, or being framed).
inline constexpr std::string_view status_page_csp =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace llmd::admin
