#pragma once

// Include from exactly one source file per test binary: provides main() for
// CAF's unit-test framework.
#include <caf/test/unit_test_impl.hpp>
