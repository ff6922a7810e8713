// tree.cpp: building labs with ninja and staging their programs.
#include "tree.hpp"

#include "process.hpp"
#include "registry.hpp"
#include "visible.hpp"

#include <fmt/format.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace ipcg {
namespace fs = std::filesystem;

// `text` without ANSI escape sequences (ESC [ ... letter), which compilers
// write for colour when meson asks them to.
static std::string without_colour(const std::string &text) {
  std::string plain;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\x1b') {
      plain += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '[') {
      i += 2;
      while (i < text.size() && !std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    }
  }
  return plain;
}

// The linker's own first complaint ("...: undefined reference to `f()'"),
// which says more than collect2's "ld returned 1 exit status".
static std::optional<std::string> first_link_error(const std::vector<std::string> &lines) {
  for (const auto &l : lines) {
    if (l.find("undefined reference") == std::string::npos &&
        l.find("multiple definition") == std::string::npos)
      continue;
    std::string e = l;
    if (auto at = e.find("labs/"); at != std::string::npos && e.rfind("/usr/bin/ld", 0) != 0)
      e.erase(0, at);
    return visible(e, 400);
  }
  return std::nullopt;
}

std::string first_compiler_error(const std::string &coloured) {
  std::string output = without_colour(coloured);
  std::istringstream in(output);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("error:") == std::string::npos) continue;
    if (lines[i].starts_with("collect2:"))
      if (auto why = first_link_error(lines)) return *why;
    std::string e = lines[i];
    for (auto pos = e.find("../"); pos == 0; pos = e.find("../")) e.erase(0, 3);
    // The compiler quotes the student's text: shown through visible().
    e = visible(e, 400);
    if (i + 1 < lines.size() && lines[i + 1].find('|') != std::string::npos)
      e += "\n                " + visible(lines[i + 1], 200);
    return e;
  }
  std::string tail;
  for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i)
    tail += (tail.empty() ? "" : " / ") + visible(lines[i], 200);
  return tail.empty() ? "the build failed without a message" : tail;
}

// The kit's source folder, as meson recorded it in the build folder; empty
// when the build folder does not say (not a meson build folder).
static fs::path source_of(const fs::path &builddir) {
  std::ifstream f(builddir / "meson-info" / "meson-info.json");
  if (!f) return {};
  auto info = nlohmann::json::parse(f, nullptr, false);
  if (info.is_discarded()) return {};
  return info.value(nlohmann::json::json_pointer("/directories/source"), std::string());
}

void require_tree(const fs::path &builddir, const std::string &tree) {
  if (tree != "solutions") return;
  fs::path source = source_of(builddir);
  if (source.empty() || fs::is_directory(source / "solutions")) return;
  throw UsageError(
      "--tree solutions: this is a student release, which has no solutions (grade your own "
      "code with --tree labs, the default)");
}

// Run ninja in `builddir` with these arguments; its outcome (output kept whole).
static Outcome ninja(const fs::path &builddir, std::vector<std::string> args) {
  Spawn s;
  s.path = "/usr/bin/ninja";
  if (access(s.path.c_str(), X_OK) != 0) s.path = "/usr/local/bin/ninja";
  s.argv = {"ninja", "-C", builddir.string()};
  s.argv.insert(s.argv.end(), args.begin(), args.end());
  s.cwd = builddir.string();
  s.output_cap = 1 << 20;
  Process p = Process::start(s);
  return p.wait(Clock::now() + std::chrono::minutes(10));
}

// Whether ninja would still build `target`: it failed to, and no stale copy counts.
static bool out_of_date(const fs::path &builddir, const std::string &target) {
  Outcome o = ninja(builddir, {"-n", target});
  return !(o.exited && o.code == 0 && o.out.find("no work to do") != std::string::npos);
}

LabBuild build_lab(const fs::path &builddir, const std::string &tree, const Lab &lab) {
  Outcome o = ninja(builddir, {"-k", "0", fmt::format("{}-{}", tree, lab.id)});
  if (o.exec_failed)
    return {"could not run ninja (" + o.err + "): install it with apt-get install ninja-build", {}};
  if (o.exited && o.code == 0) return {};
  LabBuild b;
  for (auto prog : lab.programs) {
    std::string target = fmt::format("{}/{}/{}", tree, lab.dir, prog);
    if (!out_of_date(builddir, target)) continue;
    Outcome own = ninja(builddir, {target});  // again alone, for its own first error
    b.broken[std::string(prog)] = first_compiler_error(own.out + own.err);
  }
  if (b.broken.empty()) b.error = first_compiler_error(o.out + o.err);
  return b;
}

// Staging lives outside /tmp, which each sandbox replaces with its own:
// in /run as root, else in /var/tmp.
// 128 random bits in hex: a folder name no one can guess.
static std::string random_name() {
  unsigned char r[16];
  if (getrandom(r, sizeof r, 0) != sizeof r) throw_errno("getrandom");
  std::string name;
  for (unsigned char c : r) name += fmt::format("{:02x}", c);
  return name;
}

// The programs sit in a folder with a random 128-bit name inside a folder
// that others may enter but not list (0711): without namespaces another
// grader's students cannot find them (with them, /run is hidden whole).
Staging::Staging() {
  std::string base = geteuid() == 0 && fs::is_directory("/run") ? "/run" : "/var/tmp";
  std::string tmpl = base + "/ipcgrade.XXXXXX";
  if (!mkdtemp(tmpl.data())) throw_errno("mkdtemp " + base);
  root_ = tmpl;
  check(chmod(root_.c_str(), 0711), ("chmod " + root_.string()).c_str());
  programs_ = root_ / random_name();
  check(mkdir(programs_.c_str(), 0711), ("mkdir " + programs_.string()).c_str());
}

void Staging::close_shared() {
  check(chmod(programs_.c_str(), 0700), ("chmod " + programs_.string()).c_str());
}

PrivatePrograms::PrivatePrograms(const fs::path &staging_root, const std::string &bindir,
                                 uid_t student) {
  fs::path from(bindir);
  top_ = staging_root / random_name();
  check(mkdir(top_.c_str(), 0700), ("mkdir " + top_.string()).c_str());
  try {
    check(chown(top_.c_str(), 0, student), ("chown " + top_.string()).c_str());
    check(chmod(top_.c_str(), 0710), ("chmod " + top_.string()).c_str());
    fs::path dir = top_ / from.filename();
    check(mkdir(dir.c_str(), 0755), ("mkdir " + dir.string()).c_str());
    check(chmod(dir.c_str(), 0755), ("chmod " + dir.string()).c_str());
    for (const auto &e : fs::directory_iterator(from)) {
      fs::path to = dir / e.path().filename();
      check(link(e.path().c_str(), to.c_str()), ("link " + to.string()).c_str());
    }
    bindir_ = dir.string();
  } catch (...) {
    std::error_code ec;
    fs::remove_all(top_, ec);
    throw;
  }
}

PrivatePrograms::~PrivatePrograms() {
  std::error_code ec;
  fs::remove_all(top_, ec);
}

Staging::~Staging() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

std::string Staging::add(const Lab &lab, const fs::path &from,
                         std::optional<std::string> &missing,
                         const std::map<std::string, std::string> &skip) {
  fs::path dir = programs_ / lab.dir;
  fs::create_directories(dir);
  check(chmod(dir.c_str(), 0755), "chmod");
  for (auto prog : lab.programs) {
    if (skip.contains(std::string(prog))) continue;
    fs::path src = from / lab.dir / prog;
    std::error_code ec;
    if (!fs::is_regular_file(src, ec)) {
      missing = fmt::format("there is no program {}", src.string());
      return dir.string();
    }
    fs::copy_file(src, dir / prog, fs::copy_options::overwrite_existing);
    check(chmod((dir / prog).c_str(), 0755), "chmod");
  }
  return dir.string();
}

}  // namespace ipcg
