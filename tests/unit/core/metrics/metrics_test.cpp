#include "core/metrics/metrics.hpp"

#include <gtest/gtest.h>

namespace atrium::metrics {
namespace {

TEST(Metrics, RendersCountersGaugesAndHistogramsInPrometheusFormat) {
  Registry r;
  r.counter("atrium_connections_total", "Connections accepted", {{"proto", "imap"}}).inc(3);
  r.gauge("atrium_connections_open", "Open connections", {{"proto", "imap"}}).add(2);
  auto& h = r.histogram("atrium_store_commit_batch_size", "Transactions per commit", {1, 4, 16});
  h.observe(1);
  h.observe(3);
  h.observe(100);
  std::string text = r.render();
  EXPECT_NE(text.find("# TYPE atrium_connections_total counter\natrium_connections_total{proto=\"imap\"} 3\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("atrium_connections_open{proto=\"imap\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("atrium_store_commit_batch_size_bucket{le=\"1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("atrium_store_commit_batch_size_bucket{le=\"4\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("atrium_store_commit_batch_size_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("atrium_store_commit_batch_size_sum 104\n"), std::string::npos);
  EXPECT_NE(text.find("atrium_store_commit_batch_size_count 3\n"), std::string::npos);
}

TEST(Metrics, SameNameAndLabelsReturnTheSameMetric) {
  Registry r;
  auto& a = r.counter("x_total", "x", {{"k", "v"}});
  auto& b = r.counter("x_total", "x", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(r.gauge("x_total", "x"), std::logic_error);
}

TEST(Metrics, EscapesLabelValues) {
  EXPECT_EQ(render_labels({{"a", "q\"b\\"}}), "{a=\"q\\\"b\\\\\"}");
}

}  // namespace
}  // namespace atrium::metrics
