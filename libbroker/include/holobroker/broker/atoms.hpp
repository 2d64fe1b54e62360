#pragma once

// Message tags of the broker's own actors (CAF 0.17 atoms, at most 10
// characters). Tags of the client core are re-used where they mean the same.

#include <caf/atom.hpp>
#include <caf/type_id.hpp>

#include "holobroker/client/atoms.hpp"

CAF_ADD_ATOM(holobroker_broker, holobroker::broker, drain_atom, "hb_drain")
CAF_ADD_ATOM(holobroker_broker, holobroker::broker, reload_atom, "hb_reload")
CAF_ADD_ATOM(holobroker_broker, holobroker::broker, topics_atom, "hb_topics")
CAF_ADD_ATOM(holobroker_broker, holobroker::broker, peers_atom, "hb_peers")

namespace holobroker::broker {

using caf::add_atom;
using caf::add_atom_v;
using caf::close_atom;
using caf::close_atom_v;
using caf::delete_atom;
using caf::delete_atom_v;
using caf::get_atom;
using caf::get_atom_v;
using caf::put_atom;
using caf::put_atom_v;
using caf::subscribe_atom;
using caf::subscribe_atom_v;
using caf::unsubscribe_atom;
using caf::unsubscribe_atom_v;
using client::event_atom;
using client::event_atom_v;
using client::last_atom;
using client::last_atom_v;
using client::oneway_atom;
using client::oneway_atom_v;
using client::readable_atom;
using client::readable_atom_v;
using client::status_atom;
using client::status_atom_v;
using client::things_atom;
using client::things_atom_v;

} // namespace holobroker::broker
