// One started distributed app at a time: the machine has two cores, and tests that pause Redis
// must not overlap tests that expect it to answer.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
