package pgembed

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// serverUser is the system account that runs PostgreSQL when paypage runs as
// root, because postgres and initdb refuse to run as root.
const serverUser = "paypage-pg"

// account is the unprivileged identity the server runs as.
type account struct {
	name     string
	uid, gid uint32
}

// credential drops root (including supplementary groups) in the child.
func (a *account) credential() *syscall.Credential {
	return &syscall.Credential{Uid: a.uid, Gid: a.gid, Groups: []uint32{}}
}

// serverAccount returns nil when paypage is not root: the server then runs
// as the current user. As root it returns paypage-pg, creating it with
// useradd if needed, or nobody if it cannot be created.
func serverAccount(ctx context.Context, log *slog.Logger) *account {
	if os.Geteuid() != 0 {
		return nil
	}
	for attempt := 0; attempt < 5; attempt++ {
		if a := lookupAccount(serverUser); a != nil {
			return a
		}
		out, err := exec.CommandContext(ctx, "useradd", "--system", "--user-group",
			"--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
			"--comment", "paypage embedded PostgreSQL", serverUser).CombinedOutput()
		if err == nil {
			log.Info("created system user for embedded postgres", slog.String("user", serverUser))
			continue
		}
		// A parallel Start (another test binary) may have created the user or
		// may be holding the passwd lock; look again before giving up.
		log.Debug("useradd failed", slog.String("user", serverUser), slog.String("output", string(out)))
		time.Sleep(time.Duration(attempt+1) * 100 * time.Millisecond)
	}
	if a := lookupAccount("nobody"); a != nil {
		log.Warn("cannot create system user, running embedded postgres as nobody", slog.String("user", serverUser))
		return a
	}
	return &account{name: "nobody", uid: 65534, gid: 65534}
}

func lookupAccount(name string) *account {
	u, err := user.Lookup(name)
	if err != nil {
		return nil
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil
	}
	return &account{name: name, uid: uint32(uid), gid: uint32(gid)}
}

// makeTraversable adds o+x to dir and each of its ancestors that lacks it, so
// the server account can reach its cluster directory (t.TempDir and /root
// are 0700, for example). It adds search permission only, never read.
func makeTraversable(dir string, log *slog.Logger) error {
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(p, fi.Mode().Perm()|0o001); err != nil {
				return err
			}
			log.Warn("made directory traversable for the embedded postgres account", slog.String("dir", p))
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// chownTree gives dir to the account if it belongs to someone else, for
// example after switching from nobody to paypage-pg.
func chownTree(dir string, a *account) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == a.uid && st.Gid == a.gid {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(a.uid), int(a.gid))
	})
}
