// SPDX-License-Identifier: MIT
#include "util/log_text.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

TEST(LogText, StripsControlCharacters) {
    EXPECT_EQ(LogText("12\n<3>forged\r\x1b[2J\x7f\t!"), "12<3>forged[2J!");
}

TEST(LogText, KeepsShortTextAsItIs) {
    EXPECT_EQ(LogText("D8.3.5169"), "D8.3.5169");
    EXPECT_EQ(LogText("Zähler"), "Zähler");
}

TEST(LogText, CapsLongTextAndSaysSo) {
    EXPECT_EQ(LogText(std::string(1000, 'x')), std::string(kLogTextLimit, 'x') + "...");
    EXPECT_EQ(LogText(std::string(kLogTextLimit, 'x')), std::string(kLogTextLimit, 'x'));
}

TEST(LogText, NeverCutsACharacterInTwo) {
    // 63 ASCII bytes, then a two-byte "ä": the cut at 64 would split it.
    std::string text = std::string(63, 'a') + "\xc3\xa4" + "tail";
    EXPECT_EQ(LogText(text), std::string(63, 'a') + "...");
}

} // namespace
} // namespace meteremu
