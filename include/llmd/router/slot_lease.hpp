// A held concurrency slot of one replica, released when the lease dies: on success, error,
// timeout, cancellation or exception alike, so a slot can never leak.
#pragma once

#include <atomic>
#include <utility>

namespace llmd::router {

class slot_lease {
 public:
  slot_lease() = default;
  explicit slot_lease(std::atomic<int>* in_flight) : in_flight_(in_flight) {}
  slot_lease(slot_lease&& other) noexcept : in_flight_(std::exchange(other.in_flight_, nullptr)) {}
  slot_lease& operator=(slot_lease&& other) noexcept {
    if (this != &other) {
      release();
      in_flight_ = std::exchange(other.in_flight_, nullptr);
    }
    return *this;
  }
  slot_lease(const slot_lease&) = delete;
  slot_lease& operator=(const slot_lease&) = delete;
  ~slot_lease() { release(); }

  explicit operator bool() const { return in_flight_ != nullptr; }

  void release() {
    if (in_flight_) std::exchange(in_flight_, nullptr)->fetch_sub(1, std::memory_order_acq_rel);
  }

 private:
  std::atomic<int>* in_flight_ = nullptr;
};

}  // namespace llmd::router
