// `atrium queue ...`: the outbound queue, message by message and recipient by recipient.
#include "clients/commands.hpp"

#include "storage/queue.hpp"

#include <ctime>
#include <iostream>

namespace atrium::clients {
namespace {

namespace q = storage::queue;

std::string_view status_name(q::RecipientStatus s) {
  switch (s) {
    case q::RecipientStatus::pending: return "pending";
    case q::RecipientStatus::delivered: return "delivered";
    case q::RecipientStatus::failed: return "failed";
  }
  return "unknown";
}

// "2026-11-27T22:30:00Z"
std::string iso_time(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct QueueArgs {
  std::int64_t id = 0;
};

}  // namespace

void add_queue_commands(CLI::App& app, CliContext& ctx) {
  auto* queue = app.add_subcommand("queue", "Inspect the outbound queue");
  queue->require_subcommand(1);
  auto args = std::make_shared<QueueArgs>();

  auto* list = queue->add_subcommand(
      "list",
      "List queued messages, one line per recipient: ID<TAB>SENDER<TAB>RECIPIENT<TAB>STATUS<TAB>ATTEMPTS<TAB>NEXT "
      "ATTEMPT<TAB>LAST ERROR");
  list->callback([&ctx] {
    auto all = ctx.open_store()->read([](storage::ReadTxn& t) { return q::list_queue(t); });
    for (const auto& m : all) {
      for (const auto& r : m.recipients) {
        std::cout << m.id << '\t' << (m.reverse_path.empty() ? "<>" : m.reverse_path) << '\t' << r.address << '\t'
                  << status_name(r.status) << '\t' << m.attempts << '\t' << iso_time(m.next_attempt_at) << '\t'
                  << (r.status_code.empty() ? "" : r.status_code + " ") << r.last_error << '\n';
      }
    }
  });

  auto* retry = queue->add_subcommand("retry", "Make a queued message due now (the server tries it within a second)");
  retry->add_option("ID", args->id, "The queue id (first column of `queue list`)")->required();
  retry->callback([&ctx, args] {
    auto id = args->id;
    ctx.open_store()->write([id](storage::WriteTxn& t) { return q::retry_now(t, id); });
    std::cout << "message " << id << " is due now\n";
  });

  auto* flush = queue->add_subcommand("flush", "Make every queued message due now");
  flush->callback([&ctx] {
    auto n = ctx.open_store()->write([](storage::WriteTxn& t) { return q::retry_now(t, std::nullopt); });
    std::cout << n << " message(s) due now\n";
  });

  auto* remove = queue->add_subcommand("delete", "Remove a queued message without sending it or a bounce");
  remove->add_option("ID", args->id, "The queue id (first column of `queue list`)")->required();
  remove->callback([&ctx, args] {
    auto id = args->id;
    ctx.open_store()->write([id](storage::WriteTxn& t) { q::remove_queued(t, id); });
    std::cout << "message " << id << " deleted\n";
  });

  auto* show = queue->add_subcommand("show", "Print a queued message as it will be sent");
  show->add_option("ID", args->id, "The queue id (first column of `queue list`)")->required();
  show->callback([&ctx, args] {
    auto store = ctx.open_store();
    auto all = store->read([](storage::ReadTxn& t) { return q::list_queue(t); });
    for (const auto& m : all) {
      if (m.id != args->id) continue;
      auto body = store->read_blob(m.blob.hash);
      if (!body) throw std::runtime_error("the message's content is missing");
      std::cout << *body;
      return;
    }
    throw std::runtime_error("no queued message " + std::to_string(args->id));
  });
}

}  // namespace atrium::clients
