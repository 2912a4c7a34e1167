// Multistatus and DAV:error bodies on top of XmlWriter.
#include "dav/xml/multistatus.hpp"

#include "dav/xml/href.hpp"

#include <utility>

namespace atrium::dav::xml {
namespace {

std::string_view reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 207: return "Multi-Status";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 423: return "Locked";
    case 424: return "Failed Dependency";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 507: return "Insufficient Storage";
    default: return "";
  }
}

void write_prop(XmlWriter& w, const Prop& p) {
  if (const auto* raw = std::get_if<RawElement>(&p.value)) {
    w.raw(raw->xml);
    return;
  }
  w.open(p.name);
  if (const auto* text = std::get_if<std::string>(&p.value)) {
    w.text(*text);
  } else if (const auto* nodes = std::get_if<std::vector<Node>>(&p.value)) {
    for (const Node& n : *nodes) write_node(w, n);
  }
  w.close();
}

void write_error_element(XmlWriter& w, const QName& condition) {
  w.open(dav_name("error"));
  w.open(condition);
  w.close();
  w.close();
}

}  // namespace

Node href_node(std::string_view decoded_path) { return Node{dav_name("href"), dav::encode_path(decoded_path), {}, {}}; }

void write_node(XmlWriter& w, const Node& n) {
  w.open(n.name);
  for (const auto& [k, v] : n.attributes) w.attribute(k, v);
  w.text(n.text);
  for (const Node& c : n.children) write_node(w, c);
  w.close();
}

std::string status_line(int status) { return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason(status)); }

void Response::add(int st, Prop p) {
  for (PropStat& ps : propstats) {
    if (ps.status == st) {
      ps.props.push_back(std::move(p));
      return;
    }
  }
  propstats.push_back(PropStat{st, {}, std::nullopt, {}});
  propstats.back().props.push_back(std::move(p));
}

MultistatusWriter::MultistatusWriter() { w_.open(dav_name("multistatus")); }

void MultistatusWriter::add(const Response& r) {
  w_.open(dav_name("response"));
  w_.leaf(dav_name("href"), dav::encode_path(r.path));
  if (r.status) {
    w_.leaf(dav_name("status"), status_line(*r.status));
  } else {
    for (const PropStat& ps : r.propstats) {
      w_.open(dav_name("propstat"));
      w_.open(dav_name("prop"));
      for (const Prop& p : ps.props) write_prop(w_, p);
      w_.close();
      w_.leaf(dav_name("status"), status_line(ps.status));
      if (ps.error) write_error_element(w_, *ps.error);
      if (!ps.description.empty()) w_.leaf(dav_name("responsedescription"), ps.description);
      w_.close();
    }
  }
  if (r.error) write_error_element(w_, *r.error);
  w_.close();
}

std::string MultistatusWriter::finish(std::optional<std::string_view> sync_token) && {
  if (sync_token) w_.leaf(dav_name("sync-token"), *sync_token);
  w_.close();
  return std::move(w_).finish();
}

std::string write_error(const QName& condition, const std::vector<std::string>& paths) {
  Node n{condition, {}, {}, {}};
  for (const std::string& p : paths) n.children.push_back(href_node(p));
  return write_error(n);
}

std::string write_error(const Node& condition) {
  XmlWriter w;
  w.open(dav_name("error"));
  write_node(w, condition);
  w.close();
  return std::move(w).finish();
}

}  // namespace atrium::dav::xml
