package pgembed

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
)

// process is a child (postgres or initdb) started by spawn.
type process struct {
	proc   *os.Process
	exited chan struct{} // closed once the child has been reaped
	err    error         // Wait's result; read it only after exited is closed
}

// spawn starts cmd from a goroutine locked to its OS thread, which stays
// locked until the child exits. Linux sends Pdeathsig when the forking
// *thread* exits, not the process, and the Go runtime ends a thread when a
// goroutine exits while locked to it; holding the thread ourselves means the
// signal fires only when paypage itself dies.
func spawn(cmd *exec.Cmd) (*process, error) {
	p := &process{exited: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		p.proc = cmd.Process
		started <- nil
		p.err = cmd.Wait()
		close(p.exited)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return p, nil
}

// kill sends SIGKILL and waits until the child is reaped.
func (p *process) kill() {
	_ = p.proc.Signal(syscall.SIGKILL)
	<-p.exited
}
