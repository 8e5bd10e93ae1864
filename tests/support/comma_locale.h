#pragma once
// For one test, a locale whose decimal separator is a comma (de_DE), in both C (printf, strtod) and
// C++ (streams), as the app runs under a German user's settings; the previous locales come back at
// scope exit. Where the system has no such locale it is built with localedef into a folder under
// the temp directory (LOCPATH); where that cannot be done either, active() is false and says why.
#include <unistd.h>

#include <clocale>
#include <cstdlib>
#include <filesystem>
#include <locale>
#include <string>

namespace attnsweep::test_support {

class CommaLocale {
 public:
  CommaLocale() {
    saved_c_ = std::setlocale(LC_ALL, nullptr);
    saved_cpp_ = std::locale();
    const std::string name = available();
    if (name.empty()) return;
    std::setlocale(LC_ALL, name.c_str());
    std::locale::global(std::locale(name));
    active_ = *std::localeconv()->decimal_point == ',';
  }
  ~CommaLocale() {
    std::setlocale(LC_ALL, saved_c_.c_str());
    std::locale::global(saved_cpp_);
  }
  CommaLocale(const CommaLocale&) = delete;
  CommaLocale& operator=(const CommaLocale&) = delete;

  bool active() const { return active_; }
  static constexpr const char* kWhyNot =
      "no comma-decimal locale here, and localedef could not build de_DE (package locales)";

 private:
  static bool works(const std::string& name) {
    const std::string before = std::setlocale(LC_ALL, nullptr);
    const bool ok = std::setlocale(LC_ALL, name.c_str()) != nullptr;
    std::setlocale(LC_ALL, before.c_str());
    return ok;
  }

  // The locale's name, built once per process if it has to be.
  static std::string available() {
    static const std::string name = [] {
      if (works("de_DE.UTF-8")) return std::string("de_DE.UTF-8");
      const std::filesystem::path dir =
          std::filesystem::temp_directory_path() / ("attnsweep-locales-" + std::to_string(::getuid()));
      const std::string command = "mkdir -p '" + dir.string() + "' && localedef -i de_DE -f UTF-8 '" +
                                  (dir / "de_DE.UTF-8").string() + "' >/dev/null 2>&1";
      if (!std::filesystem::exists(dir / "de_DE.UTF-8") && std::system(command.c_str()) != 0) return std::string();
      ::setenv("LOCPATH", dir.c_str(), 1);  // read by setlocale at every call
      return works("de_DE.UTF-8") ? std::string("de_DE.UTF-8") : std::string();
    }();
    return name;
  }

  std::string saved_c_;
  std::locale saved_cpp_;
  bool active_ = false;
};

}  // namespace attnsweep::test_support
