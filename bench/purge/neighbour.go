package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"time"

	"github.com/parleyhq/parley/models"
)

// The machine test (-neighbours): what the sends' p99 does when another
// process, sharing nothing with Parley or the database but the machine,
// keeps one core busy. A busy loop ("cpu") takes a core; random reads and
// writes over 2 GiB ("memory") take a core and the memory system, as a
// purge walking a 12 GB buffer pool does. If the memory neighbour alone
// puts the sends' p99 at 2× idle or more, the machine, not the purge,
// decides the purge's p99 goal.

// burn runs one neighbour for d in this process (-burn, a child of
// neighbours).
func burn(kind string, d time.Duration) error {
	end := time.Now().Add(d)
	switch kind {
	case "cpu":
		x := uint64(1)
		for time.Now().Before(end) {
			for range 1_000_000 {
				x = x*6364136223846793005 + 1442695040888963407
			}
		}
		fmt.Fprintln(os.Stderr, x&1) // keep the loop
	case "memory":
		a := make([]uint64, 256<<20) // 2 GiB, written once so every page is real
		for i := range a {
			a[i] = uint64(i)
		}
		x, s := uint64(88172645463325252), uint64(0)
		for time.Now().Before(end) {
			for range 100_000 {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				i := x % uint64(len(a))
				s += a[i]
				a[i] = s
			}
		}
		fmt.Fprintln(os.Stderr, s&1)
	default:
		return fmt.Errorf("-burn: %q is neither cpu nor memory", kind)
	}
	return nil
}

// neighbours measures the sends at cfg.Rate: idle, then beside each
// neighbour for d (its first 5 s, the memory neighbour filling its
// array, not measured), then idle again, and prints each phase's p50/p99
// and its p99 against the first idle one's.
func neighbours(ctx context.Context, st *models.Store, cfg config, d time.Duration, logger *log.Logger) error {
	svc, err := newService(st)
	if err != nil {
		return err
	}
	snd, err := startSender(ctx, st, svc, cfg)
	if err != nil {
		return err
	}
	defer snd.close()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	logger.Printf("warming up: sends at %d/s for %s, not measured", cfg.Rate, cfg.Warm)
	time.Sleep(cfg.Warm)
	if _, _, err := snd.take(); err != nil {
		return err
	}
	var idle time.Duration
	for _, kind := range []string{"", "cpu", "", "memory", ""} {
		var cmd *exec.Cmd
		if kind != "" {
			cmd = exec.Command(exe, "-burn", kind, "-for", (d + 5*time.Second).String())
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				return err
			}
			time.Sleep(5 * time.Second)
			if _, _, err := snd.take(); err != nil {
				return err
			}
		}
		logger.Printf("sends at %d/s for %s, neighbour: %s", cfg.Rate, d, or(kind, "none"))
		time.Sleep(d)
		ls, errs, err := snd.take()
		if err != nil {
			return err
		}
		if cmd != nil {
			if err := cmd.Wait(); err != nil {
				return err
			}
		}
		p99 := percentile(ls, 0.99)
		if idle == 0 {
			idle = p99
		}
		fmt.Printf("sends at %d/s, neighbour %-6s: p50 %s p99 %s (%d sends, %d errors); p99 against the first idle %.2f\n",
			cfg.Rate, or(kind, "none"), percentile(ls, 0.5), p99, len(ls), errs, float64(p99)/float64(max(idle, 1)))
	}
	return nil
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
