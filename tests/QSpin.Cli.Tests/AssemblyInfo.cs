// The torture and bench runs saturate both cores and share the process's one QSpin mode: running
// them one at a time keeps each one meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
