// CalDAV REPORT bodies: calendar-query (filter, calendar-data options), calendar-multiget,
// free-busy-query; RFC 4791 §7.8-§7.10 examples and what clients send.
#include "dav/xml/report.hpp"
#include "dav/xml/time_range.hpp"

#include "tests/unit/dav/xml/report_support.hpp"

#include <gtest/gtest.h>

namespace atrium::dav::xml {
namespace {

using testing::error_kind;
using testing::report_as;

calendar::UtcSeconds utc(const char* s) { return *parse_utc_datetime(s); }

TEST(CalendarQuery, Rfc4791_7_8_1_PartialRetrievalAndTimeRange) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="utf-8" ?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <C:calendar-data>
      <C:comp name="VCALENDAR">
        <C:prop name="VERSION"/>
        <C:comp name="VEVENT">
          <C:prop name="SUMMARY"/>
          <C:prop name="UID"/>
          <C:prop name="DTSTART"/>
          <C:prop name="DTEND"/>
          <C:prop name="DURATION"/>
          <C:prop name="RRULE"/>
          <C:prop name="RDATE"/>
          <C:prop name="EXRULE"/>
          <C:prop name="EXDATE"/>
          <C:prop name="RECURRENCE-ID"/>
        </C:comp>
        <C:comp name="VTIMEZONE"/>
      </C:comp>
    </C:calendar-data>
  </D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="20060104T000000Z" end="20060105T000000Z"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>)");
  const CalendarQuery* q = report_as<CalendarQuery>(r);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->prop.kind, PropRequestKind::prop);
  EXPECT_EQ(q->prop.props, (std::vector<QName>{caldav_name("calendar-data")}));
  ASSERT_TRUE(q->prop.calendar_data.has_value());
  const auto& cd = *q->prop.calendar_data;
  ASSERT_TRUE(cd.comp.has_value());
  EXPECT_EQ(cd.comp->name, "VCALENDAR");
  EXPECT_FALSE(cd.comp->all_props);
  EXPECT_EQ(cd.comp->props, (std::vector<std::string>{"VERSION"}));
  EXPECT_FALSE(cd.comp->all_comps);
  ASSERT_EQ(cd.comp->comps.size(), 2u);
  EXPECT_EQ(cd.comp->comps[0].name, "VEVENT");
  EXPECT_EQ(cd.comp->comps[0].props.size(), 10u);
  EXPECT_EQ(cd.comp->comps[0].props[9], "RECURRENCE-ID");
  EXPECT_EQ(cd.comp->comps[1].name, "VTIMEZONE");
  EXPECT_FALSE(cd.comp->comps[1].all_props);
  EXPECT_TRUE(cd.comp->comps[1].props.empty());
  EXPECT_FALSE(cd.expand.has_value());

  EXPECT_EQ(q->filter.root.name, "VCALENDAR");
  ASSERT_EQ(q->filter.root.comps.size(), 1u);
  const calendar::CompFilter& ev = q->filter.root.comps[0];
  EXPECT_EQ(ev.name, "VEVENT");
  ASSERT_TRUE(ev.time_range.has_value());
  EXPECT_EQ(ev.time_range->start, utc("20060104T000000Z"));
  EXPECT_EQ(ev.time_range->end, utc("20060105T000000Z"));
  EXPECT_FALSE(q->timezone.has_value());
}

TEST(CalendarQuery, Rfc4791_7_8_2_ExpandAndLimits) {
  auto r = parse_report(R"(<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <C:calendar-data>
      <C:expand start="20060103T000000Z" end="20060105T000000Z"/>
      <C:limit-recurrence-set start="20060103T000000Z" end="20060105T000000Z"/>
      <C:limit-freebusy-set start="20060102T000000Z" end="20060106T000000Z"/>
    </C:calendar-data>
  </D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20060103T000000Z" end="20060105T000000Z"/></C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>)");
  const CalendarQuery* q = report_as<CalendarQuery>(r);
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->prop.calendar_data.has_value());
  const auto& cd = *q->prop.calendar_data;
  EXPECT_FALSE(cd.comp.has_value());
  ASSERT_TRUE(cd.expand.has_value());
  EXPECT_EQ(cd.expand->start, utc("20060103T000000Z"));
  EXPECT_EQ(cd.expand->end, utc("20060105T000000Z"));
  ASSERT_TRUE(cd.limit_recurrence_set.has_value());
  ASSERT_TRUE(cd.limit_freebusy_set.has_value());
  EXPECT_EQ(cd.limit_freebusy_set->start, utc("20060102T000000Z"));
}

TEST(CalendarQuery, Rfc4791_7_8_6_ParamFilter) {
  auto r = parse_report(R"(<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:prop-filter name="ATTENDEE">
          <C:text-match collation="i;ascii-casemap">mailto:lisa@example.com</C:text-match>
          <C:param-filter name="PARTSTAT">
            <C:text-match collation="i;ascii-casemap">NEEDS-ACTION</C:text-match>
          </C:param-filter>
        </C:prop-filter>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>)");
  const CalendarQuery* q = report_as<CalendarQuery>(r);
  ASSERT_NE(q, nullptr);
  EXPECT_FALSE(q->prop.calendar_data.has_value());
  const calendar::PropFilter& att = q->filter.root.comps.at(0).props.at(0);
  EXPECT_EQ(att.name, "ATTENDEE");
  ASSERT_TRUE(att.text.has_value());
  EXPECT_EQ(att.text->text, "mailto:lisa@example.com");
  EXPECT_EQ(att.text->collation, calendar::Collation::ascii_casemap);
  EXPECT_FALSE(att.text->negate);
  ASSERT_EQ(att.params.size(), 1u);
  EXPECT_EQ(att.params[0].name, "PARTSTAT");
  ASSERT_TRUE(att.params[0].text.has_value());
  EXPECT_EQ(att.params[0].text->text, "NEEDS-ACTION");
}

TEST(CalendarQuery, Rfc4791_7_8_7_IsNotDefinedAndNegate) {
  auto r = parse_report(R"(<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop xmlns:D="DAV:"><D:getetag/><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VTODO">
        <C:prop-filter name="COMPLETED"><C:is-not-defined/></C:prop-filter>
        <C:prop-filter name="STATUS"><C:text-match negate-condition="yes">CANCELLED</C:text-match></C:prop-filter>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>)");
  const CalendarQuery* q = report_as<CalendarQuery>(r);
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->prop.calendar_data.has_value());
  EXPECT_FALSE(q->prop.calendar_data->comp.has_value());
  const calendar::CompFilter& todo = q->filter.root.comps.at(0);
  EXPECT_EQ(todo.name, "VTODO");
  ASSERT_EQ(todo.props.size(), 2u);
  EXPECT_TRUE(todo.props[0].is_not_defined);
  ASSERT_TRUE(todo.props[1].text.has_value());
  EXPECT_TRUE(todo.props[1].text->negate);
  EXPECT_EQ(todo.props[1].text->collation, calendar::Collation::ascii_casemap);
}

TEST(CalendarQuery, Rfc4791_7_8_5_AlarmTimeRangeAndTimezone) {
  auto r = parse_report(R"(<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:comp-filter name="VALARM">
          <C:time-range start="20060106T100000Z" end="20060107T100000Z"/>
        </C:comp-filter>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
  <C:timezone>BEGIN:VCALENDAR
BEGIN:VTIMEZONE
TZID:Europe/Berlin
END:VTIMEZONE
END:VCALENDAR
</C:timezone>
</C:calendar-query>)");
  const CalendarQuery* q = report_as<CalendarQuery>(r);
  ASSERT_NE(q, nullptr);
  const calendar::CompFilter& alarm = q->filter.root.comps.at(0).comps.at(0);
  EXPECT_EQ(alarm.name, "VALARM");
  ASSERT_TRUE(alarm.time_range.has_value());
  ASSERT_TRUE(q->timezone.has_value());
  EXPECT_NE(q->timezone->find("TZID:Europe/Berlin"), std::string::npos);
}

TEST(CalendarQuery, LightningListsEtags) {
  // Thunderbird/Lightning puts CalDAV in the default namespace.
  auto r = parse_report(R"(<?xml version="1.0" encoding="UTF-8"?>
<calendar-query xmlns:D="DAV:" xmlns="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <D:getetag/>
  </D:prop>
  <filter>
    <comp-filter name="VCALENDAR">
      <comp-filter name="VEVENT"/>
    </comp-filter>
  </filter>
</calendar-query>)");
  const CalendarQuery* q = report_as<CalendarQuery>(r);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->prop.props, (std::vector<QName>{dav_name("getetag")}));
  ASSERT_EQ(q->filter.root.comps.size(), 1u);
  EXPECT_EQ(q->filter.root.comps[0].name, "VEVENT");
  EXPECT_FALSE(q->filter.root.comps[0].time_range.has_value());
}

TEST(CalendarQuery, Davx5OpenEndedRange) {
  auto r = parse_report(
      R"(<?xml version='1.0' encoding='UTF-8' ?><CAL:calendar-query xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop><getetag /></prop><CAL:filter><CAL:comp-filter name="VCALENDAR"><CAL:comp-filter name="VEVENT"><CAL:time-range start="20240101T000000Z" /></CAL:comp-filter></CAL:comp-filter></CAL:filter></CAL:calendar-query>)");
  const CalendarQuery* q = report_as<CalendarQuery>(r);
  ASSERT_NE(q, nullptr);
  const auto& tr = q->filter.root.comps.at(0).time_range;
  ASSERT_TRUE(tr.has_value());
  EXPECT_EQ(tr->start, utc("20240101T000000Z"));
  EXPECT_FALSE(tr->end.has_value());
}

TEST(CalendarQuery, PythonCaldavSearchByUidWithOctet) {
  auto r = parse_report(
      R"(<?xml version='1.0' encoding='utf-8'?>
<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:D="DAV:"><D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"><C:prop-filter name="uid"><C:text-match collation="i;octet">20010712T182145Z-123401@example.com</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>)");
  const CalendarQuery* q = report_as<CalendarQuery>(r);
  ASSERT_NE(q, nullptr);
  const calendar::PropFilter& uid = q->filter.root.comps.at(0).props.at(0);
  EXPECT_EQ(uid.name, "UID");  // upper-cased
  EXPECT_EQ(uid.text->collation, calendar::Collation::octet);
  EXPECT_EQ(uid.text->text, "20010712T182145Z-123401@example.com");
}

TEST(CalendarQuery, EvolutionAllpropAndUnicodeCasemap) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:allprop/><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="i;unicode-casemap">Müller</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>)");
  const CalendarQuery* q = report_as<CalendarQuery>(r);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->prop.kind, PropRequestKind::allprop);
  EXPECT_EQ(q->filter.root.comps.at(0).props.at(0).text->collation, calendar::Collation::unicode_casemap);
  EXPECT_EQ(q->filter.root.comps.at(0).props.at(0).text->text, "Müller");
}

TEST(CalendarQuery, CompWithAllpropAndAllcomp) {
  auto r = parse_report(R"(<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data content-type="text/calendar" version="2.0"><C:comp name="vcalendar"><C:allprop/><C:allcomp/></C:comp></C:calendar-data></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>)");
  const CalendarQuery* q = report_as<CalendarQuery>(r);
  ASSERT_NE(q, nullptr);
  const auto& comp = q->prop.calendar_data->comp;
  ASSERT_TRUE(comp.has_value());
  EXPECT_EQ(comp->name, "VCALENDAR");
  EXPECT_TRUE(comp->all_props);
  EXPECT_TRUE(comp->all_comps);
}

struct BadQuery {
  const char* name;
  std::string filter;  // inside C:filter
  ErrorKind kind;
};

class CalendarQueryBad : public ::testing::TestWithParam<BadQuery> {};

TEST_P(CalendarQueryBad, IsRefused) {
  const std::string body = R"(<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>)" +
                           GetParam().filter + "</C:calendar-query>";
  auto r = parse_report(body);
  ASSERT_TRUE(std::holds_alternative<Error>(r)) << body;
  EXPECT_EQ(std::get<Error>(r).kind, GetParam().kind) << std::get<Error>(r).detail;
}

INSTANTIATE_TEST_SUITE_P(
    All, CalendarQueryBad,
    ::testing::Values(
        BadQuery{"no_filter", "", ErrorKind::missing_element},
        BadQuery{"empty_filter", "<C:filter/>", ErrorKind::invalid_filter},
        BadQuery{"root_not_vcalendar", R"(<C:filter><C:comp-filter name="VEVENT"/></C:filter>)", ErrorKind::invalid_filter},
        BadQuery{"two_roots", R"(<C:filter><C:comp-filter name="VCALENDAR"/><C:comp-filter name="VCALENDAR"/></C:filter>)",
                 ErrorKind::invalid_filter},
        BadQuery{"comp_without_name", R"(<C:filter><C:comp-filter/></C:filter>)", ErrorKind::invalid_filter},
        BadQuery{"bad_start",
                 R"(<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="2006-01-04"/></C:comp-filter></C:comp-filter></C:filter>)",
                 ErrorKind::invalid_filter},
        BadQuery{"local_time",
                 R"(<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20060104T000000"/></C:comp-filter></C:comp-filter></C:filter>)",
                 ErrorKind::invalid_filter},
        BadQuery{"empty_range",
                 R"(<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range/></C:comp-filter></C:comp-filter></C:filter>)",
                 ErrorKind::invalid_filter},
        BadQuery{"end_before_start",
                 R"(<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20060105T000000Z" end="20060104T000000Z"/></C:comp-filter></C:comp-filter></C:filter>)",
                 ErrorKind::invalid_filter},
        BadQuery{"unknown_collation",
                 R"(<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="i;basic">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter>)",
                 ErrorKind::unsupported_collation},
        BadQuery{"unknown_collation_in_param",
                 R"(<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="ATTENDEE"><C:param-filter name="PARTSTAT"><C:text-match collation="en;primary">x</C:text-match></C:param-filter></C:prop-filter></C:comp-filter></C:comp-filter></C:filter>)",
                 ErrorKind::unsupported_collation},
        BadQuery{"bad_negate",
                 R"(<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match negate-condition="true">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter>)",
                 ErrorKind::invalid_filter},
        BadQuery{"is_not_defined_with_tests",
                 R"(<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:is-not-defined/><C:time-range start="20060104T000000Z"/></C:comp-filter></C:comp-filter></C:filter>)",
                 ErrorKind::invalid_filter},
        BadQuery{"unknown_caldav_element",
                 R"(<C:filter><C:comp-filter name="VCALENDAR"><C:frobnicate/></C:comp-filter></C:filter>)",
                 ErrorKind::invalid_filter},
        BadQuery{"filter_in_dav_namespace",
                 R"(<D:filter><C:comp-filter name="VCALENDAR"/></D:filter>)", ErrorKind::missing_element}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(CalendarQuery, BadCalendarDataOptions) {
  auto with_data = [](const std::string& data) {
    return parse_report(R"(<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>)" + data +
                        R"(</D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>)");
  };
  EXPECT_EQ(error_kind(with_data(R"(<C:calendar-data content-type="application/calendar+json"/>)")),
            ErrorKind::unsupported_data_type);
  EXPECT_EQ(error_kind(with_data(R"(<C:calendar-data version="1.0"/>)")), ErrorKind::unsupported_data_type);
  EXPECT_EQ(error_kind(with_data(R"(<C:calendar-data><C:expand start="20060103T000000Z"/></C:calendar-data>)")),
            ErrorKind::invalid_value);
  EXPECT_EQ(error_kind(with_data(R"(<C:calendar-data><C:expand start="x" end="y"/></C:calendar-data>)")),
            ErrorKind::invalid_value);
  EXPECT_EQ(error_kind(with_data(R"(<C:calendar-data><C:comp/></C:calendar-data>)")), ErrorKind::invalid_value);
  EXPECT_EQ(error_kind(with_data(R"(<C:calendar-data><C:comp name="VCALENDAR"><C:prop/></C:comp></C:calendar-data>)")),
            ErrorKind::invalid_value);
}

TEST(CalendarMultiget, Rfc4791_7_9_1) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="utf-8" ?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <D:getetag/>
    <C:calendar-data/>
  </D:prop>
  <D:href>/bernard/work/abcd1.ics</D:href>
  <D:href>/bernard/work/mtg1.ics</D:href>
</C:calendar-multiget>)");
  const CalendarMultiget* m = report_as<CalendarMultiget>(r);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->prop.props, (std::vector<QName>{dav_name("getetag"), caldav_name("calendar-data")}));
  ASSERT_TRUE(m->prop.calendar_data.has_value());
  EXPECT_EQ(m->hrefs, (std::vector<std::string>{"/bernard/work/abcd1.ics", "/bernard/work/mtg1.ics"}));
}

TEST(CalendarMultiget, LightningDefaultNamespaceAndEncodedHrefs) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="UTF-8"?>
<calendar-multiget xmlns:D="DAV:" xmlns="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <D:getetag/>
    <calendar-data/>
  </D:prop>
  <D:href>
    /dav/calendars/alice/default/a%20b.ics
  </D:href>
  <D:href>https://mail.example.com/dav/calendars/alice/default/c.ics</D:href>
</calendar-multiget>)");
  const CalendarMultiget* m = report_as<CalendarMultiget>(r);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->hrefs, (std::vector<std::string>{"/dav/calendars/alice/default/a%20b.ics",
                                                "https://mail.example.com/dav/calendars/alice/default/c.ics"}));
}

TEST(CalendarMultiget, NeedsAnHref) {
  EXPECT_EQ(error_kind(parse_report(
                R"(<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop></C:calendar-multiget>)")),
            ErrorKind::missing_element);
}

TEST(FreeBusyQuery, Rfc4791_7_10_1) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="utf-8" ?>
<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <C:time-range start="20060104T140000Z" end="20060105T220000Z"/>
</C:free-busy-query>)");
  const FreeBusyQuery* f = report_as<FreeBusyQuery>(r);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->range.start, utc("20060104T140000Z"));
  EXPECT_EQ(f->range.end, utc("20060105T220000Z"));
}

TEST(FreeBusyQuery, Refusals) {
  EXPECT_EQ(error_kind(parse_report(R"(<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>)")),
            ErrorKind::missing_element);
  EXPECT_EQ(error_kind(parse_report(
                R"(<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20060104"/></C:free-busy-query>)")),
            ErrorKind::invalid_value);
}

}  // namespace
}  // namespace atrium::dav::xml
