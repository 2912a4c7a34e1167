// HTML to plain text for search: tags dropped, script and style content dropped, the common
// character references decoded. Not a renderer: good enough to index words, total on any input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace atrium::mail::mime {

// Converts UTF-8 `html` to text. Block-level tags (p, div, br, li, tr, h1-h6, ...) become line
// breaks, other tags nothing; comments, <script>, <style> and <head> content are dropped; named
// references for markup and common punctuation (&amp; &lt; &gt; &quot; &apos; &nbsp; &copy;
// &euro; &mdash; ...) and every numeric reference (&#233; &#xE9;) are decoded, unknown ones kept
// as written. Runs of blanks collapse to one space and runs of empty lines to one. Stops once
// `max_output` bytes are produced. Linear in the input.
std::string html_to_text(std::string_view html, std::size_t max_output = std::string::npos);

}  // namespace atrium::mail::mime
