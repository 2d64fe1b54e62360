#pragma once

// Message tags of the client core. CAF 0.17 atoms (at most 10 characters);
// tags CAF already defines (get, add, delete, ping, subscribe, ...) are
// re-exported so that users of the client API need a single namespace.

#include <caf/atom.hpp>
#include <caf/type_id.hpp>

CAF_ADD_ATOM(holobroker_client, holobroker::client, execute_atom, "hb_execute")
CAF_ADD_ATOM(holobroker_client, holobroker::client, send_request_atom, "hb_send")
CAF_ADD_ATOM(holobroker_client, holobroker::client, receive_response_atom, "hb_receive")
CAF_ADD_ATOM(holobroker_client, holobroker::client, oneway_atom, "hb_oneway")
CAF_ADD_ATOM(holobroker_client, holobroker::client, handshake_atom, "hb_hshake")
CAF_ADD_ATOM(holobroker_client, holobroker::client, status_atom, "hb_status")
CAF_ADD_ATOM(holobroker_client, holobroker::client, all_atom, "hb_all")
CAF_ADD_ATOM(holobroker_client, holobroker::client, things_atom, "hb_things")
CAF_ADD_ATOM(holobroker_client, holobroker::client, event_atom, "hb_event")
CAF_ADD_ATOM(holobroker_client, holobroker::client, last_atom, "hb_last")
CAF_ADD_ATOM(holobroker_client, holobroker::client, watch_atom, "hb_watch")
// Internal tags of the client actor (reactor, monitor and its timers), one
// per meaning (src/client/client_actor_impl.hpp).
CAF_ADD_ATOM(holobroker_client, holobroker::client, readable_atom, "hb_ready")
CAF_ADD_ATOM(holobroker_client, holobroker::client, link_atom, "hb_link")
CAF_ADD_ATOM(holobroker_client, holobroker::client, deadline_atom, "hb_dline")
CAF_ADD_ATOM(holobroker_client, holobroker::client, handshake_retry_atom, "hb_hsretry")
CAF_ADD_ATOM(holobroker_client, holobroker::client, handshake_timeout_atom, "hb_hstmo")
CAF_ADD_ATOM(holobroker_client, holobroker::client, ping_timeout_atom, "hb_pingtmo")
CAF_ADD_ATOM(holobroker_client, holobroker::client, send_retry_atom, "hb_sndrtry")

namespace holobroker::client {

using caf::add_atom;
using caf::add_atom_v;
using caf::delete_atom;
using caf::delete_atom_v;
using caf::get_atom;
using caf::get_atom_v;
using caf::ping_atom;
using caf::put_atom;
using caf::put_atom_v;
using caf::ping_atom_v;
using caf::subscribe_atom;
using caf::subscribe_atom_v;
using caf::unsubscribe_atom;
using caf::unsubscribe_atom_v;

} // namespace holobroker::client
