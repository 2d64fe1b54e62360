#define CAF_SUITE interop
#include "support/caf_test_main.hpp"
