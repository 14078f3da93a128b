// SPDX-License-Identifier: MIT
// RFC 6901 JSON Pointers: the RFC's own examples, escapes, array indices, and text that is no
// pointer.
#include "util/json.hpp"
#include "util/json_pointer.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

// The example document of RFC 6901, section 5.
constexpr char kRfcDocument[] = R"({"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3,
    "g|h": 4, "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8})";

JsonPtr Load(const char* text) {
    json_error_t error;
    JsonPtr root(json_loads(text, 0, &error));
    EXPECT_TRUE(root) << error.text;
    return root;
}

json_int_t IntegerAt(const json_t* root, std::string_view pointer) {
    const json_t* value = JsonPointer::Parse(pointer).Resolve(root);
    EXPECT_TRUE(json_is_integer(value)) << pointer;
    return json_integer_value(value);
}

TEST(JsonPointerTest, ResolvesTheExamplesOfRfc6901) {
    JsonPtr root = Load(kRfcDocument);
    EXPECT_EQ(JsonPointer::Parse("").Resolve(root.get()), root.get());
    EXPECT_TRUE(json_is_array(JsonPointer::Parse("/foo").Resolve(root.get())));
    EXPECT_STREQ(json_string_value(JsonPointer::Parse("/foo/0").Resolve(root.get())), "bar");
    EXPECT_EQ(IntegerAt(root.get(), "/"), 0);
    EXPECT_EQ(IntegerAt(root.get(), "/a~1b"), 1);
    EXPECT_EQ(IntegerAt(root.get(), "/c%d"), 2);
    EXPECT_EQ(IntegerAt(root.get(), "/e^f"), 3);
    EXPECT_EQ(IntegerAt(root.get(), "/g|h"), 4);
    EXPECT_EQ(IntegerAt(root.get(), "/i\\j"), 5);
    EXPECT_EQ(IntegerAt(root.get(), "/k\"l"), 6);
    EXPECT_EQ(IntegerAt(root.get(), "/ "), 7);
    EXPECT_EQ(IntegerAt(root.get(), "/m~0n"), 8);
}

TEST(JsonPointerTest, FindsNothingWhereNothingIs) {
    JsonPtr root = Load(kRfcDocument);
    for (const char* pointer : {"/nope", "/foo/2", "/foo/-", "/foo/01", "/foo/+1", "/foo/x",
                                "/foo/0/deeper", "/a/b", "/foo/18446744073709551616"})
        EXPECT_EQ(JsonPointer::Parse(pointer).Resolve(root.get()), nullptr) << pointer;
}

TEST(JsonPointerTest, RefusesTextThatIsNoPointer) {
    for (const char* text : {"foo", "emeters/0/power", "/a~2", "/a~", "~1"})
        EXPECT_THROW(JsonPointer::Parse(text), std::invalid_argument) << text;
}

TEST(JsonPointerTest, ChildEscapesTheKey) {
    JsonPtr root = Load(R"({"SML": {"Spannung L1": 230.4, "a/b~c": 1}})");
    JsonPointer meter = JsonPointer::Child(JsonPointer(), "SML");
    JsonPointer odd = JsonPointer::Child(meter, "a/b~c");
    EXPECT_EQ(odd.Text(), "/SML/a~1b~0c");
    EXPECT_EQ(JsonPointer::Parse(odd.Text()).Resolve(root.get()), odd.Resolve(root.get()));
    EXPECT_EQ(json_integer_value(odd.Resolve(root.get())), 1);
    EXPECT_DOUBLE_EQ(
        json_number_value(JsonPointer::Child(meter, "Spannung L1").Resolve(root.get())), 230.4);
}

} // namespace
} // namespace meteremu
