// convert(): vCard 3.0 <-> 4.0, property by property (RFC 6350 Appendix A and the Apple and
// CardDAV conventions clients rely on).
#include "contacts/convert.hpp"

#include "core/text/ascii.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

namespace atrium::contacts {
namespace {

// The year Apple writes for a date without one (X-APPLE-OMIT-YEAR), a leap year so that --0229
// survives the trip.
constexpr std::string_view omitted_year = "1604";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = text::ascii_lower(c);
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && text::iequals(s.substr(0, prefix.size()), prefix);
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_binary_property(std::string_view name) {
  return name == "PHOTO" || name == "LOGO" || name == "SOUND" || name == "KEY";
}

// A UTC offset in either form: "+01:00", "-0500", "+01".
bool is_utc_offset(std::string_view v) {
  if (v.size() < 3 || (v[0] != '+' && v[0] != '-')) return false;
  std::string digits;
  for (char c : v.substr(1)) {
    if (c != ':') digits.push_back(c);
  }
  return (digits.size() == 4 || digits.size() == 2) && is_digits(digits);
}

std::string first_value(const Property& p, std::string_view param) {
  const Parameter* found = p.param(param);
  return (found && !found->values.empty()) ? found->values.front() : std::string();
}

// Keeps the TYPE values for which `keep` is true, comma-joined values split; drops empty TYPEs.
template <typename Keep>
void filter_types(Property& p, Keep keep) {
  for (Parameter& param : p.params) {
    if (param.name != "TYPE") continue;
    std::vector<std::string> values;
    for (const std::string& joined : param.values) {
      std::size_t start = 0;
      while (true) {
        const std::size_t comma = joined.find(',', start);
        std::string v = joined.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!v.empty() && keep(v)) values.push_back(std::move(v));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    param.values = std::move(values);
  }
  std::erase_if(p.params, [](const Parameter& param) { return param.name == "TYPE" && param.values.empty(); });
}

// The TYPE values of a property as a comparable set: lower-cased, sorted, "pref" left out.
std::vector<std::string> type_set(const Property& p) {
  std::vector<std::string> out;
  for (const std::string& v : p.param_values("TYPE")) {
    if (!v.empty() && !text::iequals(v, "pref")) out.push_back(lower(v));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// --- media types -----------------------------------------------------------------------------

std::string sniff_media_type(std::string_view base64) {
  if (base64.starts_with("/9j/")) return "image/jpeg";
  if (base64.starts_with("iVBORw0KGgo")) return "image/png";
  if (base64.starts_with("R0lGOD")) return "image/gif";
  return "application/octet-stream";
}

// A 3.0 TYPE format name ("JPEG", "PGP") as a media type, by property.
std::string media_type(std::string_view property, std::string_view format) {
  if (format.find('/') != std::string_view::npos) return lower(format);
  const std::string f = lower(format);
  if (property == "KEY") {
    if (f == "pgp") return "application/pgp-keys";
    if (f == "x509") return "application/pkix-cert";
    return "application/" + f;
  }
  if (property == "SOUND") return "audio/" + f;
  if (f == "jpg") return "image/jpeg";
  return "image/" + f;
}

// The reverse: "image/jpeg" -> "JPEG", "application/pgp-keys" -> "PGP".
std::string format_name(std::string_view media) {
  const std::string m = lower(trim(media));
  if (m == "application/pgp-keys") return "PGP";
  if (m == "application/pkix-cert") return "X509";
  const std::size_t slash = m.find('/');
  return upper(slash == std::string::npos ? std::string_view(m) : std::string_view(m).substr(slash + 1));
}

// --- 3.0 -> 4.0 --------------------------------------------------------------------------------

void binary_to_v4(Property& q) {
  const bool inline_data = text::iequals(first_value(q, "ENCODING"), "b");
  const bool uri = text::iequals(first_value(q, "VALUE"), "uri");
  std::string format;
  for (const std::string& t : q.param_values("TYPE")) {
    if (!t.empty() && !text::iequals(t, "pref")) {
      format = t;
      break;
    }
  }
  if (!format.empty()) filter_types(q, [&](const std::string& t) { return t != format; });
  if (inline_data) {
    const std::string mt = format.empty() ? sniff_media_type(q.value) : media_type(q.name, format);
    q.value = "data:" + mt + ";base64," + q.value;
    q.remove_param("ENCODING");
    q.remove_param("VALUE");
  } else if (uri) {
    q.remove_param("VALUE");  // 4.0's default for these
    if (!format.empty()) q.params.push_back(Parameter{"MEDIATYPE", {media_type(q.name, format)}});
  } else if (q.name == "KEY") {
    q.remove_param("VALUE");
    q.params.push_back(Parameter{"VALUE", {"text"}});
    if (!format.empty()) q.params.push_back(Parameter{"MEDIATYPE", {media_type(q.name, format)}});
  }
}

// "1604-08-06" or "16040806" with X-APPLE-OMIT-YEAR=1604 -> "--0806". The parameter goes when
// the date is rewritten or names another year (then it means nothing); otherwise it stays, so
// that no reader takes 1604 for a birth year.
void omit_year_to_v4(Property& q) {
  const std::string year = first_value(q, "X-APPLE-OMIT-YEAR");
  if (year.empty()) return;
  std::string_view v = trim(q.value);
  if (!v.starts_with(year)) {
    q.remove_param("X-APPLE-OMIT-YEAR");
    return;
  }
  v.remove_prefix(year.size());
  if (v.starts_with("-")) v.remove_prefix(1);
  const std::string_view month = v.substr(0, 2);
  v.remove_prefix(month.size());
  if (v.starts_with("-")) v.remove_prefix(1);
  const std::string_view day = v.substr(0, 2);
  v.remove_prefix(day.size());
  if (month.size() != 2 || day.size() != 2 || !is_digits(month) || !is_digits(day)) return;
  q.value = "--" + std::string(month) + std::string(day) + std::string(v);
  q.remove_param("X-APPLE-OMIT-YEAR");
}

void geo_to_v4(Property& q) {
  const std::vector<std::string> parts = split_value(q.value, ';');
  if (parts.size() == 2) q.value = "geo:" + std::string(trim(parts[0])) + "," + std::string(trim(parts[1]));
}

void tz_to_v4(Property& q) {
  const std::string value_type = lower(first_value(q, "VALUE"));
  if (value_type == "text") {
    q.remove_param("VALUE");  // text is 4.0's default
    return;
  }
  const std::string_view v = trim(q.value);
  if (!is_utc_offset(v)) return;
  std::string basic(1, v[0]);
  for (char c : v.substr(1)) {
    if (c != ':') basic.push_back(c);
  }
  if (basic.size() == 3) basic += "00";
  q.value = basic;
  q.remove_param("VALUE");
  q.params.push_back(Parameter{"VALUE", {"utc-offset"}});
}

// 3.0 writes dates and times in ISO 8601's extended form ("1990-03-15", "2026-02-24T15:00:00Z");
// 4.0 allows only the basic form ("19900315", "20260224T150000Z"). A fraction of a second,
// which 4.0 has no room for, is dropped. Values of any other shape are left alone.
void basic_date_time(Property& q) {
  const std::string_view v = trim(q.value);
  auto digits = [&](std::size_t at, std::size_t n) { return at + n <= v.size() && is_digits(v.substr(at, n)); };
  if (!digits(0, 4) || v.size() < 10 || v[4] != '-' || !digits(5, 2) || v[7] != '-' || !digits(8, 2)) return;
  std::string out = std::string(v.substr(0, 4)) + std::string(v.substr(5, 2)) + std::string(v.substr(8, 2));
  std::size_t i = 10;
  if (i < v.size()) {
    if (v[i] != 'T' || !digits(i + 1, 2) || i + 3 >= v.size() || v[i + 3] != ':' || !digits(i + 4, 2)) return;
    out += "T" + std::string(v.substr(i + 1, 2)) + std::string(v.substr(i + 4, 2));
    i += 6;
    if (i < v.size() && v[i] == ':') {
      if (!digits(i + 1, 2)) return;
      out += v.substr(i + 1, 2);
      i += 3;
    }
    if (i < v.size() && (v[i] == '.' || v[i] == ',')) {
      ++i;
      while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    }
    if (i < v.size()) {
      if (v[i] == 'Z' && i + 1 == v.size()) {
        out += 'Z';
      } else if ((v[i] == '+' || v[i] == '-') && is_utc_offset(v.substr(i))) {
        out += v[i];
        for (char c : v.substr(i + 1)) {
          if (c != ':') out.push_back(c);
        }
      } else {
        return;
      }
    }
  }
  q.value = std::move(out);
}

// URI values have no escapes in either version, but Google's 3.0 writes "https\://".
bool is_uri_property(std::string_view name) {
  return name == "URL" || name == "SOURCE" || name == "FBURL" || name == "CALURI" || name == "CALADRURI" ||
         name == "IMPP" || name == "MEMBER";
}

std::string synthesized_fn(const Card& card) {
  const std::vector<std::string> n = card.n();
  if (!n.empty()) {
    // prefix, given, additional, family, suffix: the order a name is said in.
    const std::size_t order[] = {3, 1, 2, 0, 4};
    std::string name;
    for (std::size_t i : order) {
      if (i >= n.size() || trim(n[i]).empty()) continue;
      if (!name.empty()) name.push_back(' ');
      name += trim(n[i]);
    }
    if (!name.empty()) return name;
  }
  if (const Property* org = card.find("ORG")) {
    const std::vector<std::string> parts = split_value(org->value, ';');
    if (!parts.empty() && !trim(parts.front()).empty()) return std::string(trim(parts.front()));
  }
  const std::vector<std::string> emails = card.emails();
  return emails.empty() ? std::string() : emails.front();
}

void attach_label(Card& out, const Property& label) {
  const std::vector<std::string> types = type_set(label);
  Property* target = nullptr;
  for (Property& adr : out.properties) {
    if (adr.name != "ADR" || adr.param("LABEL")) continue;
    const bool same = label.group.empty() ? type_set(adr) == types : adr.group == label.group;
    if (same) {
      target = &adr;
      break;
    }
  }
  if (!target) {
    Property adr{.group = label.group, .name = "ADR", .params = label.params, .value = ";;;;;;"};
    filter_types(adr, [](const std::string& t) { return !text::iequals(t, "pref"); });
    out.properties.push_back(std::move(adr));
    target = &out.properties.back();
  }
  target->params.push_back(Parameter{"LABEL", {label.text()}});
}

// RFC 2426 lets 3.0 leave out trailing components of N and ADR; RFC 6350 §6.2.2 and §6.3.1
// require all five and seven in 4.0: the missing ones are added empty.
void pad_components(Property& q, std::size_t components) {
  const std::size_t have = split_value(q.value, ';').size();
  for (std::size_t i = have; i < components; ++i) q.value += ';';
}

Card to_v4(const Card& in) {
  Card out;
  out.version = Version::v4_0;
  // A card that already has the 4.0 property keeps it; Apple's stand-in is then redundant.
  const bool has_kind = in.find("KIND") != nullptr;
  const bool has_member = in.find("MEMBER") != nullptr;
  bool kind_seen = false;
  std::vector<const Property*> labels;
  const Property* sort_string = nullptr;
  for (const Property& p : in.properties) {
    const std::string& name = p.name;
    if (name == "NAME" || name == "PROFILE" || name == "MAILER" || name == "CLASS") continue;
    if (name == "LABEL") {
      labels.push_back(&p);
      continue;
    }
    if (name == "SORT-STRING") {
      sort_string = &p;
      continue;
    }
    Property q = p;
    q.remove_param("CHARSET");
    if (q.has_type("pref")) {
      filter_types(q, [](const std::string& t) { return !text::iequals(t, "pref"); });
      if (!q.param("PREF")) q.params.push_back(Parameter{"PREF", {"1"}});
    }
    if (name == "X-ADDRESSBOOKSERVER-KIND") {
      // Only the first counts (Card::kind() reads it); a second would compete with it.
      if (has_kind || kind_seen) continue;
      kind_seen = true;
      q = Property{.group = p.group, .name = "KIND", .value = lower(trim(p.text()))};
    } else if (name == "X-ADDRESSBOOKSERVER-MEMBER") {
      if (has_member) continue;
      q.name = "MEMBER";
      q.value = unescape(q.value);
    } else if (is_binary_property(name)) {
      binary_to_v4(q);
    } else if (name == "BDAY" || name == "ANNIVERSARY") {
      omit_year_to_v4(q);
      basic_date_time(q);
    } else if (name == "REV") {
      basic_date_time(q);
    } else if (name == "GEO") {
      geo_to_v4(q);
    } else if (name == "TZ") {
      tz_to_v4(q);
    } else if (name == "N") {
      pad_components(q, 5);
    } else if (name == "ADR") {
      pad_components(q, 7);
    } else if (name == "AGENT") {
      const bool uri = text::iequals(first_value(q, "VALUE"), "uri");
      q.name = "RELATED";
      q.remove_param("VALUE");
      q.remove_param("TYPE");
      q.params.push_back(Parameter{"TYPE", {"agent"}});
      if (!uri) q.params.push_back(Parameter{"VALUE", {"text"}});
    }
    if (is_uri_property(q.name) && q.value.find('\\') != std::string::npos) q.value = unescape(q.value);
    out.properties.push_back(std::move(q));
  }
  for (const Property* label : labels) attach_label(out, *label);
  if (sort_string) {
    if (Property* n = out.find("N")) n->params.push_back(Parameter{"SORT-AS", {sort_string->text()}});
  }
  if (!out.find("FN")) {
    // FN goes first among the properties, where every writer puts it.
    out.properties.insert(out.properties.begin(), Property{.name = "FN", .value = escape(synthesized_fn(in))});
  }
  return out;
}

// --- 4.0 -> 3.0 --------------------------------------------------------------------------------

std::optional<int> pref_of(const Property& p) {
  const std::string v(trim(first_value(p, "PREF")));
  int n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return n;
}

void binary_to_v3(Property& q) {
  const std::string_view v = trim(q.value);
  if (starts_with_icase(v, "data:")) {
    const std::size_t comma = v.find(',');
    const std::string_view header = v.substr(5, comma == std::string_view::npos ? 0 : comma - 5);
    if (comma != std::string_view::npos && header.size() >= 7 &&
        text::iequals(header.substr(header.size() - 7), ";base64")) {
      const std::string_view media = header.substr(0, header.find(';'));
      std::string data(v.substr(comma + 1));
      q.remove_param("VALUE");
      q.remove_param("MEDIATYPE");
      q.params.push_back(Parameter{"ENCODING", {"b"}});
      if (!media.empty()) q.params.push_back(Parameter{"TYPE", {format_name(media)}});
      q.value = std::move(data);
      return;
    }
  }
  const std::string value_type = lower(first_value(q, "VALUE"));
  if (q.name == "KEY" && value_type == "text") {
    q.remove_param("MEDIATYPE");
    return;
  }
  const std::string media = first_value(q, "MEDIATYPE");
  q.remove_param("MEDIATYPE");
  q.remove_param("VALUE");
  q.params.push_back(Parameter{"VALUE", {"uri"}});
  if (!media.empty()) q.params.push_back(Parameter{"TYPE", {format_name(media)}});
}

// "--0806" or "--08-06" -> "1604-08-06" with X-APPLE-OMIT-YEAR=1604.
void omit_year_to_v3(Property& q) {
  const std::string_view v = trim(q.value);
  if (!v.starts_with("--")) return;
  std::string digits;
  std::size_t used = 2;
  while (used < v.size() && digits.size() < 4) {
    if (v[used] != '-') digits.push_back(v[used]);
    ++used;
  }
  if (digits.size() != 4 || !is_digits(digits)) return;
  q.value = std::string(omitted_year) + "-" + digits.substr(0, 2) + "-" + digits.substr(2) + std::string(v.substr(used));
  q.remove_param("VALUE");
  q.params.push_back(Parameter{"X-APPLE-OMIT-YEAR", {std::string(omitted_year)}});
}

void geo_to_v3(Property& q) {
  std::string_view v = trim(q.value);
  if (!starts_with_icase(v, "geo:")) return;
  v.remove_prefix(4);
  v = v.substr(0, v.find(';'));  // uncertainty and other URI parameters have no 3.0 form
  const std::size_t comma = v.find(',');
  if (comma == std::string_view::npos) return;
  const std::string_view lat = v.substr(0, comma);
  std::string_view lon = v.substr(comma + 1);
  lon = lon.substr(0, lon.find(','));  // altitude dropped
  q.value = std::string(lat) + ";" + std::string(lon);
  q.remove_param("VALUE");
}

void tz_to_v3(Property& q) {
  const std::string value_type = lower(first_value(q, "VALUE"));
  const std::string_view v = trim(q.value);
  q.remove_param("VALUE");
  if (value_type == "utc-offset" && is_utc_offset(v)) {
    std::string digits;
    for (char c : v.substr(1)) {
      if (c != ':') digits.push_back(c);
    }
    if (digits.size() == 2) digits += "00";
    q.value = std::string(1, v[0]) + digits.substr(0, 2) + ":" + digits.substr(2);
    return;
  }
  if (value_type == "uri") {
    q.params.push_back(Parameter{"VALUE", {"uri"}});
    return;
  }
  q.params.push_back(Parameter{"VALUE", {"text"}});  // 3.0's default is utc-offset
}

void tel_to_v3(Property& q) {
  if (!text::iequals(first_value(q, "VALUE"), "uri")) return;
  const std::string_view v = trim(q.value);
  if (!starts_with_icase(v, "tel:")) return;
  q.value = escape(tel_text(v));
  q.remove_param("VALUE");
}

Card to_v3(const Card& in) {
  Card out;
  out.version = Version::v3_0;
  std::map<std::string, int> best_pref;
  for (const Property& p : in.properties) {
    if (const auto pref = pref_of(p)) {
      auto [it, inserted] = best_pref.try_emplace(p.name, *pref);
      if (!inserted) it->second = std::min(it->second, *pref);
    }
  }
  // KIND and MEMBER become Apple's properties; ones the card already had would compete with them.
  const bool has_kind = in.find("KIND") != nullptr;
  const bool has_member = in.find("MEMBER") != nullptr;
  bool kind_seen = false;
  for (const Property& p : in.properties) {
    const std::string& name = p.name;
    if ((has_kind && name == "X-ADDRESSBOOKSERVER-KIND") || (has_member && name == "X-ADDRESSBOOKSERVER-MEMBER")) continue;
    Property q = p;
    filter_types(q, [](const std::string&) { return true; });  // splits TYPE="work,voice"
    if (p.param("PREF")) {
      const auto pref = pref_of(p);
      q.remove_param("PREF");
      if (pref && best_pref[name] == *pref && !q.has_type("pref")) q.add_param_value("TYPE", "pref");
    }
    std::optional<Property> label;
    if (name == "KIND") {
      // KIND may appear once (RFC 6350 §6.1.4); only the first counts, as in Card::kind().
      if (kind_seen) continue;
      kind_seen = true;
      const std::string kind = lower(trim(p.text()));
      if (kind == "individual" || kind.empty()) continue;
      q = Property{.group = p.group, .name = "X-ADDRESSBOOKSERVER-KIND", .value = escape(kind)};
    } else if (name == "MEMBER") {
      q.name = "X-ADDRESSBOOKSERVER-MEMBER";
    } else if (is_binary_property(name)) {
      binary_to_v3(q);
    } else if (name == "BDAY" || name == "ANNIVERSARY") {
      omit_year_to_v3(q);
    } else if (name == "GEO") {
      geo_to_v3(q);
    } else if (name == "TZ") {
      tz_to_v3(q);
    } else if (name == "TEL") {
      tel_to_v3(q);
    } else if (name == "UID") {
      q.remove_param("VALUE");
    } else if (name == "REV") {
      if (text::iequals(first_value(q, "VALUE"), "timestamp")) q.remove_param("VALUE");
    } else if (name == "ADR") {
      if (const Parameter* l = q.param("LABEL"); l && !l->values.empty()) {
        label = Property{.group = q.group, .name = "LABEL", .value = escape(l->values.front())};
        for (const Parameter& param : q.params) {
          if (param.name == "TYPE") label->params.push_back(param);
        }
      }
      q.remove_param("LABEL");
    }
    out.properties.push_back(std::move(q));
    if (label) out.properties.push_back(std::move(*label));
  }
  if (!out.find("N")) {
    // 3.0 requires N (RFC 2426 §3.1.2). Apple names a group by its N family name; a person
    // without N gets an empty one rather than a guess at which word is the family name.
    const Kind kind = in.kind();
    const std::string family = kind == Kind::individual ? std::string() : escape(in.fn().value_or(""));
    const auto fn = std::find_if(out.properties.begin(), out.properties.end(), [](const Property& p) { return p.name == "FN"; });
    out.properties.insert(fn == out.properties.end() ? out.properties.begin() : fn + 1,
                          Property{.name = "N", .value = family + ";;;;"});
  }
  return out;
}

}  // namespace

Card convert(const Card& card, Version target) {
  const bool want_v4 = target == Version::v4_0;
  const bool is_v4 = card.version == Version::v4_0;
  if (want_v4 == is_v4) {
    Card copy = card;
    if (!want_v4) copy.version = Version::v3_0;
    return copy;
  }
  return want_v4 ? to_v4(card) : to_v3(card);
}

}  // namespace atrium::contacts
