// SEARCH (RFC 9051 section 6.4.4 with ESEARCH, SEARCHRES, CONDSTORE, WITHIN, OBJECTID and
// SAVEDATE keys), SORT and THREAD (RFC 5256): the search-key tree with bounded nesting.
#include "core/text/ascii.hpp"
#include "mail/imap/parse_detail.hpp"


namespace atrium::imap::detail {
namespace {

using enum ParseErrorKind;

enum class Arg : std::uint8_t { none, astring, keyword, objectid, header, date, number64, seconds, uid_set, modseq, not_, or_ };

struct KeySpec {
  std::string_view name;
  SearchOp op;
  Arg arg;
};

// FUZZY (RFC 6203) and other keys not listed fail as unknown.
constexpr KeySpec key_specs[] = {
    {"ALL", SearchOp::all, Arg::none},
    {"ANSWERED", SearchOp::answered, Arg::none},
    {"DELETED", SearchOp::deleted, Arg::none},
    {"DRAFT", SearchOp::draft, Arg::none},
    {"FLAGGED", SearchOp::flagged, Arg::none},
    {"SEEN", SearchOp::seen, Arg::none},
    {"UNANSWERED", SearchOp::unanswered, Arg::none},
    {"UNDELETED", SearchOp::undeleted, Arg::none},
    {"UNDRAFT", SearchOp::undraft, Arg::none},
    {"UNFLAGGED", SearchOp::unflagged, Arg::none},
    {"UNSEEN", SearchOp::unseen, Arg::none},
    {"RECENT", SearchOp::recent, Arg::none},
    {"NEW", SearchOp::new_, Arg::none},
    {"OLD", SearchOp::old, Arg::none},
    {"SAVEDATESUPPORTED", SearchOp::saved_date_supported, Arg::none},
    {"BCC", SearchOp::bcc, Arg::astring},
    {"BODY", SearchOp::body, Arg::astring},
    {"CC", SearchOp::cc, Arg::astring},
    {"FROM", SearchOp::from, Arg::astring},
    {"SUBJECT", SearchOp::subject, Arg::astring},
    {"TEXT", SearchOp::text, Arg::astring},
    {"TO", SearchOp::to, Arg::astring},
    {"KEYWORD", SearchOp::keyword, Arg::keyword},
    {"UNKEYWORD", SearchOp::unkeyword, Arg::keyword},
    {"EMAILID", SearchOp::email_id, Arg::objectid},
    {"THREADID", SearchOp::thread_id, Arg::objectid},
    {"HEADER", SearchOp::header, Arg::header},
    {"BEFORE", SearchOp::before, Arg::date},
    {"ON", SearchOp::on, Arg::date},
    {"SINCE", SearchOp::since, Arg::date},
    {"SENTBEFORE", SearchOp::sent_before, Arg::date},
    {"SENTON", SearchOp::sent_on, Arg::date},
    {"SENTSINCE", SearchOp::sent_since, Arg::date},
    {"SAVEDBEFORE", SearchOp::saved_before, Arg::date},
    {"SAVEDON", SearchOp::saved_on, Arg::date},
    {"SAVEDSINCE", SearchOp::saved_since, Arg::date},
    {"LARGER", SearchOp::larger, Arg::number64},
    {"SMALLER", SearchOp::smaller, Arg::number64},
    {"OLDER", SearchOp::older, Arg::seconds},
    {"YOUNGER", SearchOp::younger, Arg::seconds},
    {"MODSEQ", SearchOp::modseq, Arg::modseq},
    {"UID", SearchOp::uid, Arg::uid_set},
    {"NOT", SearchOp::not_, Arg::not_},
    {"OR", SearchOp::or_, Arg::or_},
};

const KeySpec* find_key(std::string_view name) {
  for (const KeySpec& k : key_specs) {
    if (text::iequals(name, k.name)) return &k;
  }
  return nullptr;
}

// objectid = 1*255(ALPHA / DIGIT / "_" / "-") (RFC 8474 section 7).
bool is_objectid(std::string_view id) {
  if (id.empty() || id.size() > 255) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

SearchKey leaf(SearchOp op, SearchKey::Argument arg = {}) { return SearchKey{op, std::move(arg), {}}; }

SearchKey conjunction(std::vector<SearchKey> keys) {
  if (keys.size() == 1) return std::move(keys.front());
  return SearchKey{SearchOp::and_, {}, std::move(keys)};
}

SearchKey parse_key(Reader& r, std::size_t depth);

// search-key *(SP search-key), stopping before ")" or the end (trailing spaces left for finish).
std::vector<SearchKey> parse_keys(Reader& r, std::size_t depth) {
  std::vector<SearchKey> keys;
  keys.push_back(parse_key(r, depth));
  while (r.ok() && r.more_after_space() && r.peek_at(1) != ')') {
    r.take(' ');
    keys.push_back(parse_key(r, depth));
  }
  return keys;
}

// MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer (RFC 7162 section 3.1.5).
ModSeqMatch parse_modseq(Reader& r) {
  ModSeqMatch m;
  r.sp();
  if (r.next_is('"')) {
    const std::string entry = r.string();
    constexpr std::string_view prefix = "/flags/";
    if (r.ok() && (entry.size() <= prefix.size() || !text::iequals(std::string_view(entry).substr(0, prefix.size()), prefix))) {
      r.fail(bad_search_key);
    }
    ModSeqEntry e;
    if (r.ok()) {
      // The flag after the prefix must be a flag as in STORE; read it with the same rules.
      const std::string flag_text = entry.substr(prefix.size());
      const ParserOptions options = r.options();
      Reader flag_reader(flag_text, options);
      e.flag = flag_reader.flag();
      if (!flag_reader.ok() || !flag_reader.at_end()) r.fail(bad_search_key);
    }
    r.sp();
    const std::string_view type = r.word();
    if (text::iequals(type, "priv")) {
      e.type = ModSeqEntryType::priv;
    } else if (text::iequals(type, "shared")) {
      e.type = ModSeqEntryType::shared;
    } else if (text::iequals(type, "all")) {
      e.type = ModSeqEntryType::all;
    } else {
      r.fail(bad_search_key);
    }
    m.entry = std::move(e);
    r.sp();
  }
  m.modseq = r.number64();
  return m;
}

SearchKey parse_key(Reader& r, std::size_t depth) {
  if (!r.ok()) return {};
  if (depth > r.options().max_search_depth) {
    r.fail(search_too_deep);
    return {};
  }
  const char c = r.peek();
  if (c == '(') {
    r.take('(');
    std::vector<SearchKey> keys = parse_keys(r, depth + 1);
    r.expect(')', bad_search_key);
    return conjunction(std::move(keys));
  }
  if ((c >= '0' && c <= '9') || c == '*' || c == '$') return leaf(SearchOp::sequence_set, r.sequence_set());

  const std::size_t start = r.offset();
  const KeySpec* spec = find_key(r.word());
  if (spec == nullptr) {
    if (r.offset() == start) {
      r.fail_here(bad_search_key);
    } else {
      r.fail_at(bad_search_key, start);
    }
    return {};
  }
  switch (spec->arg) {
    case Arg::none: return leaf(spec->op);
    case Arg::astring: r.sp(); return leaf(spec->op, r.astring());
    case Arg::keyword: r.sp(); return leaf(spec->op, std::string(r.atom(bad_search_key)));
    case Arg::objectid: {
      r.sp();
      const std::string_view id = r.atom(bad_search_key);
      if (r.ok() && !is_objectid(id)) r.fail(bad_search_key);
      return leaf(spec->op, std::string(id));
    }
    case Arg::header: {
      r.sp();
      HeaderMatch h;
      h.name = r.astring();
      r.sp();
      h.value = r.astring();
      return leaf(spec->op, std::move(h));
    }
    case Arg::date: r.sp(); return leaf(spec->op, r.date());
    case Arg::number64: r.sp(); return leaf(spec->op, r.number64());
    case Arg::seconds: r.sp(); return leaf(spec->op, static_cast<std::uint64_t>(r.nz_number()));
    case Arg::uid_set: r.sp(); return leaf(spec->op, r.sequence_set());
    case Arg::modseq: return leaf(spec->op, parse_modseq(r));
    case Arg::not_: {
      r.sp();
      SearchKey k{SearchOp::not_, {}, {}};
      k.children.push_back(parse_key(r, depth + 1));
      return k;
    }
    case Arg::or_: {
      SearchKey k{SearchOp::or_, {}, {}};
      r.sp();
      k.children.push_back(parse_key(r, depth + 1));
      r.sp();
      k.children.push_back(parse_key(r, depth + 1));
      return k;
    }
  }
  return {};
}

// "RETURN" SP "(" [option *(SP option)] ")", after "RETURN" was taken.
SearchReturn parse_return(Reader& r) {
  SearchReturn ret;
  r.sp();
  r.expect('(', bad_modifier);
  if (r.take(')')) {
    ret.all = true;  // RFC 4731 section 3.1: "RETURN ()" is "RETURN (ALL)"
    return ret;
  }
  do {
    const std::string_view w = r.word();
    if (text::iequals(w, "MIN")) ret.min = true;
    else if (text::iequals(w, "MAX")) ret.max = true;
    else if (text::iequals(w, "ALL")) ret.all = true;
    else if (text::iequals(w, "COUNT")) ret.count = true;
    else if (text::iequals(w, "SAVE")) ret.save = true;
    else r.fail(bad_modifier);
  } while (r.ok() && r.take(' '));
  r.expect(')', bad_modifier);
  return ret;
}

// search-criteria of SORT and THREAD: charset 1*(SP search-key).
std::string parse_charset(Reader& r) {
  std::string charset = r.astring();
  r.sp();
  return charset;
}

}  // namespace

Search parse_search(Reader& r, bool uid) {
  Search s;
  s.uid = uid;
  r.sp();
  if (r.take_keyword("RETURN")) {
    s.returns = parse_return(r);
    r.sp();
  }
  if (r.take_keyword("CHARSET")) {
    r.sp();
    s.charset = r.astring();
    r.sp();
  }
  s.key = conjunction(parse_keys(r, 0));
  return s;
}

Sort parse_sort(Reader& r, bool uid) {
  Sort s;
  s.uid = uid;
  r.sp();
  if (r.take_keyword("RETURN")) {
    s.returns = parse_return(r);
    r.sp();
  }
  r.expect('(', bad_argument);
  do {
    SortCriterion c;
    if (r.take_keyword("REVERSE")) {
      c.reverse = true;
      r.sp();
    }
    const std::string_view w = r.word();
    if (text::iequals(w, "ARRIVAL")) c.key = SortKey::arrival;
    else if (text::iequals(w, "CC")) c.key = SortKey::cc;
    else if (text::iequals(w, "DATE")) c.key = SortKey::date;
    else if (text::iequals(w, "FROM")) c.key = SortKey::from;
    else if (text::iequals(w, "SIZE")) c.key = SortKey::size;
    else if (text::iequals(w, "SUBJECT")) c.key = SortKey::subject;
    else if (text::iequals(w, "TO")) c.key = SortKey::to;
    else if (text::iequals(w, "DISPLAYFROM")) c.key = SortKey::display_from;
    else if (text::iequals(w, "DISPLAYTO")) c.key = SortKey::display_to;
    else r.fail_here(bad_argument);
    s.criteria.push_back(c);
  } while (r.ok() && r.take(' '));
  r.expect(')', bad_argument);
  r.sp();
  s.charset = parse_charset(r);
  s.key = conjunction(parse_keys(r, 0));
  return s;
}

Thread parse_thread(Reader& r, bool uid) {
  Thread t;
  t.uid = uid;
  r.sp();
  const std::string_view alg = r.word();
  if (text::iequals(alg, "REFERENCES")) {
    t.algorithm = ThreadAlgorithm::references;
  } else if (text::iequals(alg, "ORDEREDSUBJECT")) {
    t.algorithm = ThreadAlgorithm::ordered_subject;
  } else {
    r.fail_here(bad_argument);
  }
  r.sp();
  t.charset = parse_charset(r);
  t.key = conjunction(parse_keys(r, 0));
  return t;
}

}  // namespace atrium::imap::detail
