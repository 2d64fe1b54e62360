// How a failure of the hop across to a peer broker reaches the client
// (federation.hpp): one wording for the peer actor's relay and for the
// front end's direct requests.

#include <chrono>

#include <caf/sec.hpp>
#include <fmt/format.h>

#include "holobroker/client/error.hpp"
#include "holobroker/federation/federation.hpp"

namespace holobroker::federation {

caf::error hop_error(const std::string& peer, caf::error err, caf::timespan waited) {
  if (client::client_errc_of(err))
    return err;
  if (err == caf::sec::request_timeout)
    return client::make_error(client::client_errc::timeout,
                              fmt::format("no answer from {} within {}s (the Thing's deadline "
                                          "+ the federation margin)",
                                          peer, std::chrono::duration<double>(waited).count()));
  if (err == caf::sec::request_receiver_down)
    return client::make_error(client::client_errc::disconnected,
                              fmt::format("lost {} before it answered (its link dropped or "
                                          "it went away)",
                                          peer));
  return client::make_error(client::client_errc::disconnected,
                            fmt::format("{}: {}", peer, caf::to_string(err)));
}

} // namespace holobroker::federation
