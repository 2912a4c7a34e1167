// The executor's internals, shared by the files that implement its methods (one per family).
#pragma once

#include "calendar/object.hpp"
#include "contacts/filter.hpp"
#include "dav/server/executor.hpp"
#include "dav/xml/addressbook_multiget.hpp"
#include "dav/xml/addressbook_query.hpp"
#include "dav/xml/headers.hpp"
#include "dav/xml/href.hpp"
#include "dav/xml/multistatus.hpp"
#include "dav/xml/names.hpp"
#include "dav/xml/report.hpp"
#include "dav/xml/report_props.hpp"
#include "storage/access.hpp"
#include "storage/collections.hpp"
#include "storage/items.hpp"
#include "storage/resources.hpp"
#include "storage/store.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace atrium::dav {

struct Executor::State {
  State(storage::Store& s, ExecutorOptions o) : store(s), options(o) {}
  storage::Store& store;
  ExecutorOptions options;
  // Accounts whose default calendar and task list exist (or were made): checked once per process.
  std::mutex provisioned_mutex;
  std::set<storage::PrincipalId> provisioned;
};

namespace detail {

using xml::QName;

// The "/dav/" tree: principals, calendar homes and what they hold.
inline constexpr std::string_view k_root = "/dav/";
inline constexpr std::string_view k_principals = "/dav/principals/";
inline constexpr std::string_view k_calendars = "/dav/calendars/";
inline constexpr std::string_view k_files = "/dav/files/";
inline constexpr std::string_view k_addressbooks = "/dav/addressbooks/";
// The store name of an account's file area; its folders are "Files/a", "Files/a/b", ….
inline constexpr std::string_view k_files_root = "Files";

enum class Kind {
  root,             // /dav/
  principals,       // /dav/principals/
  principal,        // /dav/principals/<email>/
  calendar_homes,   // /dav/calendars/
  calendar_home,    // /dav/calendars/<email>/
  calendar,         // /dav/calendars/<email>/<name>/  (calendar or task list)
  calendar_object,  // /dav/calendars/<email>/<name>/<resource>
  outbox,           // /dav/calendars/<email>/outbox/  (RFC 6638 schedule outbox; POST only)
  addressbook_homes,  // /dav/addressbooks/
  addressbook_home,   // /dav/addressbooks/<email>/
  addressbook,        // /dav/addressbooks/<email>/<name>/
  card,               // /dav/addressbooks/<email>/<name>/<resource>
  directory,          // /dav/addressbooks/<email>/directory/  (the domain's global address list, read-only)
  directory_card,     // /dav/addressbooks/<email>/directory/<principal id>.vcf
  file_homes,       // /dav/files/
  folder,           // /dav/files/<email>/[<folder>/…]  (the first is the account's file area)
  file,             // /dav/files/<email>/[<folder>/…]<name>
  unknown,          // anything else under /dav/
};

struct Target {
  Kind kind = Kind::unknown;
  std::string path;  // decoded; collections end with '/'
  bool exists = false;
  std::optional<storage::Principal> owner;        // principal, homes and below
  std::optional<storage::Collection> collection;  // calendar and calendar_object (when it exists)
  std::string collection_name;                    // calendar and calendar_object: the store name
  std::optional<storage::Item> item;              // calendar_object when it exists
  std::string member;                             // calendar_object and file: its name
  // folder and file: the folder the target is in (nullopt for the file area itself, or when that
  // folder does not exist); folder_name is the store name of a folder target, existing or not.
  std::optional<storage::Collection> parent;
  std::string folder_name;
  // directory_card: the vCard made from the directory, and its entity tag.
  std::string generated;
  std::string generated_etag;

  bool is_collection() const {
    return kind != Kind::calendar_object && kind != Kind::file && kind != Kind::card && kind != Kind::directory_card &&
           kind != Kind::unknown;
  }
  bool is_member() const { return kind == Kind::calendar_object || kind == Kind::file || kind == Kind::card; }
};

// One request in flight.
struct Ctx {
  Executor::State& state;
  const http::Request& req;
  const Caller& caller;
  storage::Actor actor;
  std::string host;  // the Host header (hrefs and Destination must name this server)

  storage::Store& store() { return state.store; }
  const ExecutorOptions& options() const { return state.options; }
};

// Paths.
std::string principal_path(std::string_view email);
std::string calendar_home_path(std::string_view email);
std::string calendar_path(std::string_view email, std::string_view name);
// The path of folder `store_name` ("Files/a/b") of `email`'s file area.
std::string folder_path(std::string_view email, std::string_view store_name);
std::string addressbook_home_path(std::string_view email);
std::string addressbook_path(std::string_view email, std::string_view name);
// Resolves a decoded path against the store as `ctx.caller` sees it.
Target resolve(storage::ReadTxn& txn, Ctx& ctx, const std::string& path);
// Makes the caller's default calendar and task list when it has none (once per process).
void provision(Ctx& ctx);

// Responses.
http::Response status_response(int code);
http::Response xml_response(int code, std::string body);
http::Response error_response(int code, const QName& condition, const std::vector<std::string>& hrefs = {});
http::Response multistatus_response(std::string body);
std::optional<std::string_view> header(const http::Request& req, beast::http::field f);
std::optional<std::string_view> header(const http::Request& req, std::string_view name);

std::string etag_of(const storage::Item& item);  // opaque part, no quotes
std::string quote_etag(std::string_view etag);

// The component names a calendar collection takes (its supported-calendar-component-set).
std::vector<std::string> supported_components(storage::ReadTxn& txn, Ctx& ctx, const storage::Collection& c);
// The zone floating times are read in for `c` (its calendar-timezone; UTC when none).
calendar::Zone floating_zone(storage::ReadTxn& txn, Ctx& ctx, const storage::Collection& c);
std::string_view content_type_for(storage::ItemKind kind);

// Properties (props.cpp).
enum class PropMode { prop, allprop, propname };
struct PropQuery {
  PropMode mode = PropMode::prop;
  std::vector<QName> names;  // prop: requested; allprop: DAV:include
  std::optional<calendar::CalendarDataRequest> calendar_data;
  std::optional<xml::AddressDataRequest> address_data;
};
// One multistatus response for `t` with the properties `q` asks for. `blob` is the object's
// content when already read (reports), else it is read when calendar-data is asked.
xml::Response prop_response(storage::ReadTxn& txn, Ctx& ctx, const Target& t, const PropQuery& q,
                            const std::string* blob = nullptr);
// The sync token of a collection at `modseq`.
std::string sync_token(const storage::Collection& c, storage::Modseq modseq);
// The modseq a token names for `c`, or nullopt when it is not one of ours for this collection.
std::optional<storage::Modseq> parse_sync_token(const storage::Collection& c, std::string_view token);
// The target for member `item` of calendar `t` (a calendar target).
Target member_target(const Target& calendar, const storage::Item& item);
// Properties clients may not set (live properties the server computes).
bool is_protected(const QName& name);
// Checks a value a client sets on a property with server meaning; an error text when invalid.
std::optional<std::string> validate_property(const QName& name, const std::string& text);

// The HTTP status a request body's parse error gets (the table on dav/xml/error.hpp).
http::Response parse_failure(const xml::Error& e);
// If-Match and If-None-Match as one precondition on the resource's current state; nullopt when a
// header is malformed (400).
std::optional<storage::resources::Precondition> conditions(const http::Request& req);

// Methods (methods.cpp, reports.cpp).
http::Response do_options(Ctx& ctx, const Target& t);
http::Response do_propfind(Ctx& ctx, const Target& t);
http::Response do_proppatch(Ctx& ctx, const Target& t);
http::Response do_get(Ctx& ctx, const Target& t);
http::Response do_put(Ctx& ctx, const Target& t);
http::Response do_delete(Ctx& ctx, const Target& t);
http::Response do_mkcol(Ctx& ctx, const Target& t, bool mkcalendar);
http::Response do_copy_move(Ctx& ctx, const Target& t, bool move);
http::Response do_report(Ctx& ctx, const Target& t);

// Implicit scheduling (scheduling.cpp). The name the schedule inbox and outbox have in a home.
inline constexpr std::string_view k_inbox = "inbox";  // calendar::agent::k_inbox
inline constexpr std::string_view k_outbox = "outbox";
// A PUT of a scheduling object resource (it has an ORGANIZER and the caller organises or attends
// it): stores it and delivers the iTIP messages it implies, in one write. nullopt when `object`
// is no scheduling object for the caller: the caller stores it as usual.
std::optional<http::Response> scheduled_put(Ctx& ctx, const Target& t, const calendar::Object& object,
                                            const std::string& body, const storage::resources::Precondition& pre);
// The iTIP consequences of deleting `item` (CANCEL from an organiser, a declining REPLY from an
// attendee), inside the deleting write. `caller_email` is who deletes.
void scheduled_delete(storage::WriteTxn& txn, storage::Store& store, const ExecutorOptions& options,
                      const std::string& caller_email, const storage::Item& item);
// POST to the schedule outbox: a VFREEBUSY request answered for internal users.
http::Response do_post(Ctx& ctx, const Target& t);

// The property request of a report.
PropQuery report_prop_query(const xml::PropRequest& p);

// CardDAV (cards.cpp).
http::Response card_put(Ctx& ctx, const Target& t);
http::Response addressbook_query(Ctx& ctx, const Target& t, const xml::AddressbookQuery& q);
// An addressbook-query filter in contacts/ terms.
contacts::Filter card_filter(const xml::CardFilter& f);
http::Response addressbook_multiget(Ctx& ctx, const Target& t, const xml::AddressbookMultiget& q);
// A card as address-data asks for it (version, partial); the stored text when it asks nothing
// the card does not already satisfy.
std::string card_data(const std::string& stored, const xml::AddressDataRequest& request);

// The global address list (directory.cpp): a read-only address book in each user's home, made
// from the directory of the user's domain on every request, so it always reflects it.
inline constexpr std::string_view k_directory = "directory";
struct DirectoryCard {
  std::string name;  // "<principal id>.vcf"
  std::string text;  // vCard 3.0
  std::string etag;
};
std::vector<DirectoryCard> directory_cards(storage::ReadTxn& txn, std::string_view caller_email);
// The collection's sync token / ctag: changes whenever any card does.
std::string directory_token(const std::vector<DirectoryCard>& cards);
Target directory_card_target(const Target& directory, const DirectoryCard& card);
http::Response directory_report(Ctx& ctx, const Target& t, const xml::Report& report);

// Plain WebDAV folders (files.cpp): the same methods for Kind::folder and Kind::file.
http::Response files_put(Ctx& ctx, const Target& t);
http::Response files_delete(Ctx& ctx, const Target& t);
http::Response files_mkcol(Ctx& ctx, const Target& t);
http::Response files_copy_move(Ctx& ctx, const Target& t, const Target& dest, bool move, bool overwrite, Depth depth);
// The subfolders and files of folder `t`.
std::vector<Target> folder_children(storage::ReadTxn& txn, Ctx& ctx, const Target& t);
// The content type a file was stored with.
std::string file_content_type(storage::ReadTxn& txn, Ctx& ctx, const Target& t);

}  // namespace detail
}  // namespace atrium::dav
