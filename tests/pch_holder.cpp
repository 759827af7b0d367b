// The one source of test_pch (tests/CMakeLists.txt): the target that builds the precompiled header
// every test binary reuses. It has no code of its own.
