// Fuzz entry: every request parser over one body, plus the writer on what they produced.
#include "tests/fuzz/dav/xml/fuzz_entries.hpp"

#include "dav/xml/mkcol.hpp"
#include "dav/xml/multistatus.hpp"
#include "dav/xml/propfind.hpp"
#include "dav/xml/proppatch.hpp"
#include "dav/xml/report.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::dav::xml::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "dav xml fuzz: %s\n", what);
  std::abort();
}

std::size_t depth_of(const Element& e) {
  std::size_t deepest = 0;
  for (const Element& c : e.children) deepest = std::max(deepest, depth_of(c));
  return deepest + 1;
}

void check_document(std::string_view body, const ParseLimits& limits) {
  auto r = parse_document(body, limits);
  const Element* root = std::get_if<Element>(&r);
  if (!root) return;
  require(body.size() <= limits.max_bytes, "accepted a body over the size limit");
  require(depth_of(*root) <= limits.max_depth, "accepted a document over the depth limit");
  require(root->text_runs.size() == root->children.size() + 1, "text runs out of step with children");
  const std::string once = serialise_fragment(*root);
  auto again = parse_document(once, ParseLimits{.max_bytes = once.size() + 1, .max_depth = limits.max_depth});
  const Element* back = std::get_if<Element>(&again);
  require(back != nullptr, "a serialised fragment does not re-parse");
  require(back->name == root->name, "a serialised fragment changed its name");
  require(back->text_content() == root->text_content(), "a serialised fragment changed its text");
  require(serialise_fragment(*back) == once, "fragment serialisation is not idempotent");
}

void check_range(const calendar::TimeRange& r) {
  require(r.start || r.end, "an empty time-range was accepted");
  if (r.start && r.end) require(*r.start < *r.end, "a time-range ends before it starts");
}

void check_comp_filter(const calendar::CompFilter& f) {
  require(!f.name.empty(), "comp-filter without a name");
  if (f.time_range) check_range(*f.time_range);
  for (const calendar::PropFilter& p : f.props) {
    if (p.time_range) check_range(*p.time_range);
  }
  for (const calendar::CompFilter& c : f.comps) check_comp_filter(c);
}

// Writes a multistatus from parsed names and text and checks that it is well-formed.
void check_writer(const std::vector<QName>& names, std::string_view text, const std::vector<PropertyValue>& raw) {
  Response r;
  r.path = std::string("/") + std::string(text.substr(0, 64));
  for (const QName& n : names) {
    // Names from a parsed document are XML names; only those can be written as elements.
    r.add(404, Prop::empty(n));
  }
  r.add(200, Prop::text(dav_name("displayname"), std::string(text)));
  for (const PropertyValue& v : raw) r.add(200, Prop::raw(v.name, v.xml));
  MultistatusWriter w;
  w.add(r);
  const std::string out = std::move(w).finish(std::string(text.substr(0, 16)));
  auto parsed = parse_document(out, ParseLimits{.max_bytes = out.size() + 1, .max_depth = 64});
  require(std::holds_alternative<Element>(parsed), "the writer produced XML that does not parse");
}

void run(std::string_view body, const ParseLimits& limits) {
  check_document(body, limits);

  auto pf = parse_propfind(body, limits);
  if (const Propfind* p = std::get_if<Propfind>(&pf)) check_writer(p->props, body.substr(0, 256), {});

  auto pp = parse_proppatch(body, limits);
  if (const Proppatch* p = std::get_if<Proppatch>(&pp)) {
    require(!p->instructions.empty(), "an empty PROPPATCH was accepted");
    std::vector<PropertyValue> values;
    for (const PatchInstruction& i : p->instructions) {
      auto back = parse_document(i.property.xml, ParseLimits{.max_bytes = i.property.xml.size() + 1, .max_depth = 64});
      const Element* e = std::get_if<Element>(&back);
      require(e != nullptr, "a dead property fragment does not re-parse");
      require(e->name == i.property.name, "a dead property fragment changed its name");
      require(e->text_content() == i.property.text, "a dead property fragment changed its text");
      values.push_back(i.property);
    }
    check_writer({}, {}, values);
  }

  for (auto parse : {parse_mkcol, parse_mkcalendar}) {
    auto m = parse(body, limits);
    if (const Mkcol* mk = std::get_if<Mkcol>(&m)) check_writer({}, {}, mk->props);
  }

  auto rep = parse_report(body, limits);
  if (const Report* r = std::get_if<Report>(&rep)) {
    if (const auto* q = std::get_if<CalendarQuery>(r)) {
      require(q->filter.root.name == "VCALENDAR", "calendar-query filter root is not VCALENDAR");
      check_comp_filter(q->filter.root);
      check_writer(q->prop.props, {}, {});
    } else if (const auto* m = std::get_if<CalendarMultiget>(r)) {
      require(!m->hrefs.empty(), "calendar-multiget without hrefs");
    } else if (const auto* f = std::get_if<FreeBusyQuery>(r)) {
      check_range(f->range);
    } else if (const auto* s = std::get_if<SyncCollection>(r)) {
      require(!s->limit || *s->limit > 0, "sync-collection nresults 0");
      check_writer(s->prop.props, s->sync_token, {});
    } else if (const auto* a = std::get_if<AddressbookMultiget>(r)) {
      require(!a->hrefs.empty(), "addressbook-multiget without hrefs");
    } else if (const auto* ps = std::get_if<PrincipalPropertySearch>(r)) {
      require(!ps->searches.empty(), "principal-property-search without searches");
    } else if (const auto* cs = std::get_if<CalendarserverPrincipalSearch>(r)) {
      require(!cs->tokens.empty(), "calendarserver-principal-search without tokens");
      for (const std::string& t : cs->tokens) require(!t.empty(), "an empty search token");
    }
  }
}

}  // namespace

int request_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  run(body, ParseLimits{});
  run(body, ParseLimits{.max_bytes = 4096, .max_depth = 8});
  return 0;
}

}  // namespace atrium::dav::xml::fuzz
