// Coyote tests set process-wide statics (QSpin's TestHooks delegates and its Mutant switch) and each
// one drives a TestingEngine that owns the scheduling of its own tasks: they must run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
