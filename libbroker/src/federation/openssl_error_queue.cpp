// Works around CAF 0.17.6's OpenSSL sessions (README "Federation", TLS):
// OpenSSL requires the calling thread's error queue to be empty before
// SSL_read / SSL_write / SSL_accept / SSL_connect, or SSL_get_error() reads
// an *earlier* failure as the result of this call. CAF never clears it, and
// all its sessions share the middleman's multiplexer thread: a refused
// peer's failed handshake (no certificate, another CA) left its errors there,
// and the next SSL_read on a good link that merely had no data yet
// (SSL_ERROR_WANT_READ) was reported as SSL_ERROR_SSL, so CAF closed that
// good link.
//
// The fix belongs in CAF's session.cpp; until then this program defines the
// four calls itself (the dynamic linker binds libcaf_openssl's references to
// the executable's definitions first) and each one clears the queue, then
// calls OpenSSL's own. Nothing else changes: the errors of a call are still
// in the queue for CAF's SSL_get_error() right after it.

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "holobroker/federation/openssl_error_queue.hpp"

namespace {

template <class Fn>
Fn real(const char* name) {
  // OpenSSL 3 versions its symbols; ask for that version first.
  void* sym = ::dlvsym(RTLD_NEXT, name, "OPENSSL_3.0.0");
  if (sym == nullptr)
    sym = ::dlsym(RTLD_NEXT, name);
  if (sym == nullptr) {
    std::fprintf(stderr, "holobroker: cannot find OpenSSL's %s: %s\n", name, ::dlerror());
    std::abort();
  }
  return reinterpret_cast<Fn>(sym);
}

using io_fn = int (*)(SSL*, void*, int);
using cio_fn = int (*)(SSL*, const void*, int);
using hs_fn = int (*)(SSL*);

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto fn = real<io_fn>("SSL_read");
  ERR_clear_error();
  return fn(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto fn = real<cio_fn>("SSL_write");
  ERR_clear_error();
  return fn(ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static const auto fn = real<hs_fn>("SSL_accept");
  ERR_clear_error();
  return fn(ssl);
}

int SSL_connect(SSL* ssl) {
  static const auto fn = real<hs_fn>("SSL_connect");
  ERR_clear_error();
  return fn(ssl);
}

} // extern "C"

namespace holobroker::federation {

bool openssl_error_queue_guarded() {
  // Through the dynamic linker, as CAF's library sees the symbol: true when
  // it resolves to this file's definition, not to libssl's.
  void* seen = ::dlsym(RTLD_DEFAULT, "SSL_read");
  return seen == reinterpret_cast<void*>(static_cast<io_fn>(&SSL_read));
}

} // namespace holobroker::federation
