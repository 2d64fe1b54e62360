#include "support/caf_test_main.hpp"
