#define CAF_SUITE client
#include "support/caf_test_main.hpp"
