#pragma once

// CAF 0.17.6's OpenSSL sessions never clear OpenSSL's per-thread error
// queue, so a refused peer's failed handshake made the next read of a good
// TLS link fail (README "Federation"). src/federation/openssl_error_queue.cpp
// defines SSL_read / SSL_write / SSL_accept / SSL_connect for the program,
// each clearing the queue before calling OpenSSL's own.

namespace holobroker::federation {

/// True when the dynamic linker resolves SSL_read to the clearing wrapper
/// (it is, for every program linking holobroker::broker); also what links
/// the wrappers into the program.
bool openssl_error_queue_guarded();

} // namespace holobroker::federation
