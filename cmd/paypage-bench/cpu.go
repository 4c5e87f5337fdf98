package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of /proc/<pid>/stat's CPU times: USER_HZ, 100 on
// every Linux architecture Go runs on.
const clockTick = 10 * time.Millisecond

// procStat is the part of /proc/<pid>/stat the bench reads.
type procStat struct {
	ppid int
	// self is user plus system time of the process's threads; children
	// that of its children that have exited and been waited for.
	self, children time.Duration
}

// parseStat reads a /proc/<pid>/stat line. The command name sits in
// parentheses and may hold spaces, so fields are counted from its end.
func parseStat(b []byte) (procStat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, errors.New("stat: no command name")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): ppid is field 4, utime..cstime 14..17.
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("stat: %d fields after the command name", len(f))
	}
	var n [5]int64
	for k, idx := range []int{1, 11, 12, 13, 14} {
		v, err := strconv.ParseInt(f[idx], 10, 64)
		if err != nil {
			return procStat{}, fmt.Errorf("stat field %d: %w", idx+3, err)
		}
		n[k] = v
	}
	return procStat{ppid: int(n[0]),
		self:     time.Duration(n[1]+n[2]) * clockTick,
		children: time.Duration(n[3]+n[4]) * clockTick}, nil
}

func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	return parseStat(b)
}

// cpuUse is CPU time consumed so far by the server and by its PostgreSQL.
type cpuUse struct {
	server, postgres time.Duration
}

func (c cpuUse) sub(o cpuUse) cpuUse {
	return cpuUse{server: c.server - o.server, postgres: c.postgres - o.postgres}
}

// sampleCPU reads the server's own CPU time (not its children's: the
// postmaster is one of them and is counted apart) and that of its
// PostgreSQL: the postmaster named in the cluster's postmaster.pid, its
// exited children (backends that came and went) and its live children.
// The difference of two samples is what both spent in between.
func sampleCPU(s *server) (cpuUse, error) {
	srv, err := readStat(s.pid())
	if err != nil {
		return cpuUse{}, err
	}
	b, err := os.ReadFile(filepath.Join(s.dataDir, "pg", "postmaster.pid"))
	if err != nil {
		return cpuUse{}, err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	postmaster, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return cpuUse{}, fmt.Errorf("postmaster.pid: %w", err)
	}
	pm, err := readStat(postmaster)
	if err != nil {
		return cpuUse{}, err
	}
	pg := pm.self + pm.children
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return cpuUse{}, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := readStat(pid)
		if err != nil || st.ppid != postmaster {
			continue // gone meanwhile, or not a backend
		}
		pg += st.self + st.children
	}
	return cpuUse{server: srv.self, postgres: pg}, nil
}

// measured runs run and returns the CPU the server and its PostgreSQL
// spent meanwhile; with profileDir set it also writes a CPU profile of
// the server, taken over the run's length d less a second, to
// profileDir/name.pprof.
func measured(ctx context.Context, s *server, profileDir, name string, d time.Duration, run func() error) (cpuUse, error) {
	before, err := sampleCPU(s)
	if err != nil {
		return cpuUse{}, err
	}
	wait := s.profile(ctx, profileDir, name, d-time.Second)
	err = run()
	if werr := wait(); err == nil {
		err = werr
	}
	if err != nil {
		return cpuUse{}, err
	}
	after, err := sampleCPU(s)
	if err != nil {
		return cpuUse{}, err
	}
	return after.sub(before), nil
}

// perRequest is c spread over n requests, in milliseconds: NaN when n is
// 0.
func (c cpuUse) perRequest(n int64) (server, postgres float64) {
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(n) }
	return ms(c.server), ms(c.postgres)
}

// per describes c spread over n requests: server and PostgreSQL
// milliseconds each.
func (c cpuUse) per(n int64) string {
	if n == 0 {
		return "n/a"
	}
	server, postgres := c.perRequest(n)
	return fmt.Sprintf("server %.2f ms + PostgreSQL %.2f ms", server, postgres)
}
