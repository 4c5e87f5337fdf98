package pgembed

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// binaries are the server programs of one PostgreSQL installation.
type binaries struct {
	postgres string
	initdb   string
}

// findBinaries picks the server binaries to run. When the cluster already
// exists (wantMajor is its PG_VERSION) only an installation of that major
// version can open it, so others are skipped.
func findBinaries(override []string, wantMajor string) (binaries, error) {
	dirs := override
	if dirs == nil {
		dirs = searchDirs()
	}
	var found []string
	for _, dir := range dirs {
		b := binaries{postgres: filepath.Join(dir, "postgres"), initdb: filepath.Join(dir, "initdb")}
		if !isExecutable(b.postgres) || !isExecutable(b.initdb) {
			continue
		}
		if wantMajor == "" {
			return b, nil
		}
		major := majorVersion(b.postgres)
		if major == wantMajor {
			return b, nil
		}
		found = append(found, fmt.Sprintf("%s (%s)", dir, major))
	}
	if len(found) == 0 {
		return binaries{}, ErrNoBinaries
	}
	return binaries{}, fmt.Errorf("pgembed: the cluster was created by PostgreSQL %s but only found %s: install PostgreSQL %s server binaries or move the data directory away",
		wantMajor, strings.Join(found, ", "), wantMajor)
}

// searchDirs lists candidate bin directories: the one holding postgres on
// PATH (following symlinks, so initdb comes from the same installation),
// then Debian's and RHEL's versioned directories, highest version first.
func searchDirs() []string {
	var dirs []string
	if p, err := exec.LookPath("postgres"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"} {
		matches, _ := filepath.Glob(pattern)
		slices.SortFunc(matches, func(a, b string) int {
			return compareVersions(versionOfDir(b), versionOfDir(a))
		})
		dirs = append(dirs, matches...)
	}
	return dirs
}

// versionOfDir extracts "15" from /usr/lib/postgresql/15/bin or
// /usr/pgsql-15/bin.
func versionOfDir(binDir string) string {
	base := filepath.Base(filepath.Dir(binDir))
	return strings.TrimPrefix(base, "pgsql-")
}

// compareVersions orders dotted numeric versions ("9.6" < "15").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// majorVersion asks a postgres binary for its major version in the form
// PG_VERSION uses ("15", or "9.6" for old releases). postgres answers
// --version even as root.
func majorVersion(postgres string) string {
	out, err := exec.Command(postgres, "--version").Output()
	if err != nil {
		return "unknown"
	}
	// "postgres (PostgreSQL) 15.8 (Debian 15.8-1.pgdg120+1)"
	fields := strings.Fields(string(out))
	if len(fields) < 3 {
		return "unknown"
	}
	parts := strings.Split(fields[2], ".")
	if n, _ := strconv.Atoi(parts[0]); n < 10 && len(parts) > 1 {
		return parts[0] + "." + parts[1]
	}
	return parts[0]
}

// clusterVersion returns the major version recorded in an existing cluster,
// or "" when there is none yet.
func clusterVersion(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "PG_VERSION"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}
