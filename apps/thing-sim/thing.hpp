#pragma once

// One simulated Thing: its property values and the behaviour of its
// operations. A Thing never touches a socket; it returns an `outcome` (the
// reply value or the raised error, and how long the operation "runs") and
// publishes events and schedules delayed work through its `thing_host`
// (the server that hosts it).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "holobroker/wire/frames.hpp"
#include "remote_error.hpp"
#include "thing_spec.hpp"
#include "timer_queue.hpp"

namespace holobroker::sim {

/// What a Thing needs from whoever hosts it.
class thing_host {
public:
  virtual ~thing_host() = default;
  virtual void publish(std::string_view thing_id, std::string_view event_name,
                       wire::shared_bytes payload, wire::shared_bytes preserialized) = 0;
  virtual timer_id schedule(std::chrono::nanoseconds delay, timer_queue::callback fn) = 0;
  virtual void cancel(timer_id id) = 0;
};

/// One operation as the Thing sees it: payload already decoded.
struct operation_call {
  std::string_view operation;
  std::string_view objekt;      ///< name (string objekt)
  std::string_view objekt_json; ///< raw JSON when objekt is null or a list
  const nlohmann::json* payload = nullptr;
  wire::shared_bytes payload_frame;  ///< the payload bytes as received (JSON)
  wire::shared_bytes preserialized;  ///< frame 4 as received
};

/// The result of an operation.
struct outcome {
  std::optional<remote_error> error;
  wire::shared_bytes payload = wire::null_payload();
  wire::shared_bytes preserialized = wire::empty_frame();
  bool preencoded_result = false; ///< frame 4 carries returned bytes
  std::chrono::nanoseconds duration{0}; ///< simulated execution time
};

class simulated_thing {
public:
  simulated_thing(thing_spec spec, thing_host& host);
  ~simulated_thing();

  simulated_thing(const simulated_thing&) = delete;
  simulated_thing& operator=(const simulated_thing&) = delete;

  const thing_spec& spec() const noexcept { return spec_; }
  const std::string& id() const noexcept { return spec_.id; }

  /// Runs one operation (readproperty, writeproperty, invokeaction, ...).
  outcome execute(const operation_call& call);

  /// Whether invoking `action` returns the request's kwargs verbatim (an
  /// echo action), so the server may skip decoding them.
  bool echoes_kwargs(std::string_view action) const;

  /// Current value of a property (for tests/diagnostics); null if unknown.
  nlohmann::json value_of(std::string_view name) const;

  /// Publishes `event` now (used by periodic timers and actions).
  void publish_event(const event_spec& event);

private:
  struct property_state {
    const property_spec* spec;
    nlohmann::json value;
    wire::shared_bytes encoded; ///< cached JSON text of `value`: reads send it as is
  };

  struct motion {
    double from = 0;
    double to = 0;
    std::chrono::steady_clock::time_point start;
    std::chrono::nanoseconds duration{0};
    timer_id done_timer = 0;
  };

  property_state* find_property(std::string_view name);
  const property_state* find_property(std::string_view name) const;
  void set_value(property_state& prop, nlohmann::json value);
  std::optional<remote_error> write(std::string_view name, const nlohmann::json& value);

  outcome read_property(std::string_view name);
  outcome write_property(std::string_view name, const nlohmann::json& value);
  outcome read_many(const operation_call& call);
  outcome invoke(const operation_call& call);
  outcome run_action(const action_spec& action, const operation_call& call);

  // Motor behaviour.
  double current_position() const;
  outcome start_move(const action_spec& action, double target);
  void finish_move(const std::string& property);
  outcome stop_move(const action_spec& action);

  nlohmann::json spectrum(double scale);
  void arm_periodic(std::size_t event_index);

  thing_spec spec_;
  thing_host& host_;
  std::vector<property_state> properties_;
  std::unordered_map<std::string_view, std::size_t> property_index_;
  std::unordered_map<std::string_view, std::size_t> action_index_;
  std::vector<timer_id> periodic_timers_;
  std::optional<motion> motion_;
  std::string motion_property_;
  std::uint64_t event_counter_ = 0;
};

/// Encodes a JSON value the way msgspec does on the wire (compact; floats
/// keep a fractional part, e.g. `5.0`).
std::string encode_json(const nlohmann::json& value);

} // namespace holobroker::sim
