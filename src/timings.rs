//! How long each stage of a build took, by the wall clock and by the process's CPU clock: what
//! `qunce build --timings`, the dev server's log and the benchmarks report.

use std::time::{Duration, Instant};

/// How long each stage took, for `--timings` and the benchmarks.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// The stages in the order they ran.
    pub stages: Vec<Stage>,
}

/// One stage's wall time and the process's CPU time while it ran: their ratio shows how many
/// cores a stage kept busy, which wall time alone hides on a machine with few of them.
#[derive(Debug, Clone)]
pub struct Stage {
    /// The stage's short name as `--timings` prints it (`load`, `scan`, `resolve`, …).
    pub name: &'static str,
    pub(crate) wall: Duration,
    /// User and system time of every thread of the process over the stage (background work
    /// such as loading the search dictionary counts where it overlaps); `None` where the
    /// platform does not tell.
    pub(crate) cpu: Option<Duration>,
}

/// When a stage started, by the wall clock and the process's CPU clock ([`Timings::clock`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    at: Instant,
    cpu: Option<Duration>,
}

/// User plus system time of the whole process so far.
#[cfg(unix)]
fn process_cpu() -> Option<Duration> {
    // SAFETY: getrusage only writes the struct it is given, which is plain data.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return None;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Some(tv(u.ru_utime) + tv(u.ru_stime))
}

#[cfg(not(unix))]
fn process_cpu() -> Option<Duration> {
    None
}

impl Timings {
    /// Runs `f`, recording how long it took under `name`.
    pub(crate) fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Timings::clock();
        let out = f();
        self.record(name, start);
        out
    }

    /// Now, for a stage that [`Timings::record`] ends later.
    pub(crate) fn clock() -> Clock {
        Clock {
            at: Instant::now(),
            cpu: process_cpu(),
        }
    }

    /// Records the stage `name` that started at `start`.
    pub(crate) fn record(&mut self, name: &'static str, start: Clock) {
        let wall = start.at.elapsed();
        let cpu = start
            .cpu
            .zip(process_cpu())
            .map(|(a, b)| b.saturating_sub(a));
        self.stages.push(Stage { name, wall, cpu });
    }

    /// Whether a stage called `name` ran.
    pub fn has(&self, name: &str) -> bool {
        self.stages.iter().any(|s| s.name == name)
    }

    /// One line per stage, for the terminal: wall time, then CPU time and the cores it kept
    /// busy (CPU ÷ wall) where the platform tells.
    pub fn report(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let line = |name: &str, wall: Duration, cpu: Option<Duration>| {
            let mut l = format!("  {name:<13} {:>9.1} ms", ms(wall));
            if let Some(cpu) = cpu {
                let cores = if wall.is_zero() {
                    0.0
                } else {
                    cpu.as_secs_f64() / wall.as_secs_f64()
                };
                l.push_str(&format!("  cpu {:>9.1} ms  {cores:>4.2} cores", ms(cpu)));
            }
            l.push('\n');
            l
        };
        let mut s = String::new();
        for st in &self.stages {
            s.push_str(&line(st.name, st.wall, st.cpu));
        }
        let total: Duration = self.stages.iter().map(|st| st.wall).sum();
        let cpu: Option<Duration> = self.stages.iter().map(|st| st.cpu).sum();
        s.push_str(&line("total", total, cpu));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_count_the_cpu_of_every_thread() {
        let mut t = Timings::default();
        // Another thread busy until it has used 60 ms of CPU while this one waits: the stage
        // has that CPU time only if the time of every thread counts, not just the caller's.
        #[cfg(unix)]
        fn thread_cpu() -> Duration {
            let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
            // SAFETY: clock_gettime only writes the struct it is given.
            unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
            Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
        }
        #[cfg(not(unix))]
        fn thread_cpu() -> Duration {
            Duration::MAX
        }
        let spin = || {
            let (start, mut x) = (thread_cpu(), 0u64);
            while thread_cpu().saturating_sub(start) < Duration::from_millis(60) {
                for _ in 0..10_000 {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
            }
        };
        t.time("spin", || {
            std::thread::spawn(spin).join().expect("the thread ends")
        });
        let st = &t.stages[0];
        assert_eq!(st.name, "spin");
        if cfg!(unix) {
            let cpu = st.cpu.expect("getrusage works on unix");
            assert!(cpu >= Duration::from_millis(60), "{st:?}");
            let report = t.report();
            let line = report.lines().next().unwrap_or_default();
            assert!(
                line.starts_with("  spin ") && line.contains(" ms  cpu "),
                "{report}"
            );
            assert!(line.ends_with(" cores"), "{report}");
            assert!(
                report
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .starts_with("  total ")
            );
        }
    }
}
