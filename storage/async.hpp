// Coroutine access to the writer: `co_await async_write(store, fn, asio::use_awaitable)`.
// The coroutine resumes on its own executor once the job's outcome is durable; an exception
// thrown by `fn` (or a failed commit) is rethrown there.
#pragma once

#include "storage/store.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <memory>
#include <optional>
#include <type_traits>

namespace atrium::storage {

namespace detail {
template <class R>
struct WriteSignature {
  using type = void(std::exception_ptr, R);
};
template <>
struct WriteSignature<void> {
  using type = void(std::exception_ptr);
};
}  // namespace detail

template <class F, class Token>
auto async_write(Store& store, F fn, Token&& token) {
  using R = std::invoke_result_t<F&, WriteTxn&>;
  using Sig = typename detail::WriteSignature<R>::type;
  return boost::asio::async_initiate<Token, Sig>(
      [&store](auto handler, F fn) {
        using Handler = decltype(handler);
        auto executor = boost::asio::get_associated_executor(handler);
        auto work = std::make_shared<boost::asio::executor_work_guard<decltype(executor)>>(executor);
        auto shared_handler = std::make_shared<Handler>(std::move(handler));
        auto result = std::make_shared<std::conditional_t<std::is_void_v<R>, int, std::optional<R>>>();
        auto fn_ptr = std::make_shared<F>(std::move(fn));
        Store::Job job{
            [fn_ptr, result](WriteTxn& txn) {
              if constexpr (std::is_void_v<R>) {
                (*fn_ptr)(txn);
              } else {
                result->emplace((*fn_ptr)(txn));
              }
            },
            [shared_handler, result, work](std::exception_ptr e) {
              auto ex = work->get_executor();
              boost::asio::post(ex, [shared_handler, result, work, e]() mutable {
                if constexpr (std::is_void_v<R>) {
                  (*shared_handler)(e);
                } else if (e) {
                  (*shared_handler)(e, R{});
                } else {
                  (*shared_handler)(e, std::move(**result));
                }
                work->reset();
              });
            }};
        try {
          store.submit(std::move(job));
        } catch (...) {
          auto e = std::current_exception();
          boost::asio::post(executor, [shared_handler, e]() mutable {
            if constexpr (std::is_void_v<R>) {
              (*shared_handler)(e);
            } else {
              (*shared_handler)(e, R{});
            }
          });
        }
      },
      token, std::move(fn));
}

}  // namespace atrium::storage
