// SPDX-License-Identifier: MIT
// One table of the configuration file (the top level, [frontend], one [[frontend]] or
// [backend]) as seen by the
// code that owns its keys. Every getter, and Has(), remembers the key as known and reports a
// wrong type at the value's position; ReportUnknownKeys() then flags whatever nobody asked for.
// A parser must ask for each key it accepts even when the table is empty: running it on an
// empty section is how AcceptedConfigKeys() lists the keys for the documentation test.
#pragma once

#include "config/diagnostics.hpp"

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meteremu {

/// A number as an error message quotes it from the file ("2", "-5", "0.5").
std::string FormatNumber(double value);

class ConfigSection {
public:
    /// `table` may be null when the file has no such section; `where` is then the file start.
    /// `header` is how messages name the table; empty: "[name]".
    ConfigSection(std::string name, const toml::table* table, toml::source_position where,
                  Diagnostics& diagnostics, std::string header = {});

    /// "frontend", "backend", or "" for the top level.
    const std::string& Name() const noexcept { return name_; }
    /// Whether the key is present; the key counts as known.
    bool Has(std::string_view key);

    // Absent key: nullopt. Wrong type: an error at the value, then nullopt.
    std::optional<std::string> String(std::string_view key);
    std::optional<bool> Bool(std::string_view key);
    /// Integers are accepted where a number is expected (poll_interval = 2).
    std::optional<double> Number(std::string_view key);
    std::optional<std::int64_t> Integer(std::string_view key);
    std::optional<std::vector<std::int64_t>> IntegerArray(std::string_view key);
    std::optional<std::vector<std::string>> StringArray(std::string_view key);
    /// One string (a list of one), or an array of strings.
    std::optional<std::vector<std::string>> StringOrStrings(std::string_view key);
    /// A sub-table such as [backend] of the top level.
    const toml::table* Table(std::string_view key);
    /// A table of numbers by name, such as `weights = { "aabbccddeeff" = 2 }`, in name order.
    /// A member of another type is an error at its value and left out.
    std::optional<std::vector<std::pair<std::string, double>>> NumberTable(std::string_view key);
    /// The one table of [key], or each table of [[key]] (an array of tables), in file order;
    /// empty when absent. A value of another type, or an element that is no table, is an
    /// error at its position.
    std::vector<const toml::table*> Tables(std::string_view key);

    /// A positive number of seconds, or `fallback` when absent; errors name the bounds.
    double Seconds(std::string_view key, double fallback, double maximum);
    /// An integer from `minimum` to `maximum`, or `fallback` when absent; errors name the bounds.
    std::int64_t Count(std::string_view key, std::int64_t fallback, std::int64_t minimum,
                       std::int64_t maximum);
    /// A number from `minimum` to `maximum`, or `fallback` when absent; errors name the bounds.
    double Bounded(std::string_view key, double fallback, double minimum, double maximum);

    /// An error at the key's value (or the section header when the key is absent).
    void ErrorAt(std::string_view key, const std::string& expectation);
    /// An error at element `index` of the array under `key`.
    void ErrorAtElement(std::string_view key, std::size_t index, const std::string& expectation);
    /// An error at the name of member `member` of the table under `key`, naming the member
    /// ("frontend.weights.aabbccddeeff").
    void ErrorAtMember(std::string_view key, std::string_view member,
                       const std::string& expectation);
    void WarningAt(std::string_view key, const std::string& message);
    /// An error at the section header: a required key is missing.
    void ErrorMissing(std::string_view key, const std::string& expectation);

    /// Reports every key no getter asked for, listing the keys this section knows.
    void ReportUnknownKeys();

    /// "backend.host"; "log_level" at the top level.
    std::string Qualified(std::string_view key) const;

    /// Every key asked for so far, sorted.
    std::vector<std::string> KnownKeys() const;

    /// Where the key's value is, or the section header when the key is absent.
    toml::source_position PositionOf(std::string_view key) const;
    /// Where element `index` of the array under `key` is, else as PositionOf(key).
    toml::source_position ElementPosition(std::string_view key, std::size_t index) const;

private:
    const toml::node* Find(std::string_view key);
    void WrongType(std::string_view key, const toml::node& node, std::string_view expected);
    template <class T>
    std::optional<std::vector<T>> ArrayOf(std::string_view key,
                                          bool (toml::node::*matches)() const noexcept,
                                          std::string_view expected, std::string_view plural);
    template <class T>
    std::optional<T> Typed(std::string_view key, bool (toml::node::*matches)() const noexcept,
                           std::string_view expected);

    std::string name_;
    std::string header_;
    const toml::table* table_;
    toml::source_position where_;
    Diagnostics& diagnostics_;
    std::set<std::string, std::less<>> known_;
};

} // namespace meteremu
