// Conversion between vCard 3.0 and 4.0 (RFC 6350 Appendix A), for CARDDAV:address-data
// version="3.0" / "4.0" (RFC 6352 §10.4) and GET with an Accept that names a version.
#pragma once

#include "contacts/card.hpp"

namespace atrium::contacts {

// The card in `target`'s syntax. Same version: a copy (a 2.1 card becomes 3.0, which its
// properties already are). Target 2.1 is taken as 3.0: 2.1 is never written.
//
// 3.0 (or 2.1) -> 4.0:
//  - TYPE=pref -> PREF=1; CHARSET dropped;
//  - PHOTO, LOGO, SOUND, KEY with ENCODING=b;TYPE=JPEG -> a data: URI (data:image/jpeg;base64,...),
//    the media type taken from TYPE, else sniffed from the data (JPEG, PNG, GIF); VALUE=uri with a
//    TYPE -> MEDIATYPE; a text KEY gets VALUE=text;
//  - X-ADDRESSBOOKSERVER-KIND -> KIND (Apple groups), X-ADDRESSBOOKSERVER-MEMBER -> MEMBER (unless
//    the card already has KIND / MEMBER: then Apple's are dropped, and likewise the other way);
//  - LABEL -> the LABEL parameter of the ADR with the same group, else the same TYPEs; a LABEL
//    without such an ADR becomes an ADR with empty components and that LABEL;
//  - BDAY/ANNIVERSARY;X-APPLE-OMIT-YEAR=1604:1604-08-06 -> --0806 (Apple's "no year");
//  - BDAY, ANNIVERSARY and REV from ISO 8601's extended form to the basic one 4.0 requires
//    (1990-03-15 -> 19900315, 2026-02-24T15:00:00Z -> 20260224T150000Z);
//  - URI values (URL, IMPP, MEMBER, ...) lose backslash escapes (Google writes "https\://");
//  - GEO:lat;lon -> geo:lat,lon; TZ:-05:00 -> TZ;VALUE=utc-offset:-0500;
//  - SORT-STRING -> SORT-AS on N; AGENT -> RELATED;TYPE=agent;
//  - NAME, PROFILE, MAILER, CLASS dropped (gone from 4.0);
//  - FN, mandatory in 4.0, made from N, else ORG, else EMAIL when the card has none;
//  - TEL stays text (4.0 allows it; rewriting numbers as tel: URIs would change what users typed).
// 4.0 -> 3.0, the reverse:
//  - PREF=n -> TYPE=pref on the most preferred property of each name (lowest PREF);
//  - TYPE="work,voice" -> TYPE=work,voice;
//  - data: URIs -> ENCODING=b;TYPE=JPEG; other URIs -> VALUE=uri with TYPE from MEDIATYPE;
//  - KIND -> X-ADDRESSBOOKSERVER-KIND (KIND:individual, the default, dropped); MEMBER ->
//    X-ADDRESSBOOKSERVER-MEMBER;
//  - ADR;LABEL=... -> the ADR plus a LABEL property with the same group and TYPEs;
//  - BDAY:--0806 -> BDAY;X-APPLE-OMIT-YEAR=1604:1604-08-06;
//  - GEO, TZ back to their 3.0 forms; TEL;VALUE=uri:tel:... -> TEL:... (";ext=" -> " ext. ");
//    other TEL URIs (sip:) keep VALUE=uri; UID loses VALUE=uri/text, REV VALUE=timestamp;
//  - N, mandatory in 3.0, added after FN when missing: FN as the family name of a group or an
//    organisation (as Apple writes groups), empty for a person.
// Everything else is kept as it is in both directions (GENDER, ANNIVERSARY, RELATED, IMPP, X-
// properties, groups and their X-ABLabel): 3.0 readers skip what they do not know.
Card convert(const Card& card, Version target);

}  // namespace atrium::contacts
