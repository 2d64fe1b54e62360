#define CAF_SUITE live
#include "support/caf_test_main.hpp"
