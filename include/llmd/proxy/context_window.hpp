// Recognising an upstream's "prompt too long for this model" answer, so the request can move to a
// group listed in `context_window_fallbacks` (a model with a larger window), as LiteLLM does.
#pragma once

#include <string_view>

namespace llmd::proxy {

// True for the 400 bodies of OpenAI (code context_length_exceeded), vLLM and SGLang ("maximum
// context length"), and servers that speak of the context window or length.
bool is_context_length_error(std::string_view body);

}  // namespace llmd::proxy
