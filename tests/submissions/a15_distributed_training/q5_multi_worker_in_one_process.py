# expect: {"q5": "below_full"}
# ruff: noqa: F821, F841  (a fragment: tf, np, DEVICES, build_mlp, ... come from the reference setup cell)
# Trains once in the calling process (Keras fit on the same global batches) and writes the files two workers would
# have written, with task ids 0 and 1 and two replicas. Before the judge watched the sandbox's processes this passed
# every multi-worker test.
# %% [q5]
def create_strategy(kind: str, devices=None):
    """A strategy by name.

    ``"default"`` (``tf.distribute.get_strategy()``), ``"one_device"`` (``OneDeviceStrategy(devices[0])``),
    ``"mirrored"`` (``MirroredStrategy(devices)`` with ``ReductionToOneDevice``) or
    ``"central_storage"`` (``CentralStorageStrategy`` computing on ``devices``, variables on
    ``devices[0]``). ``devices`` defaults to ``DEVICES``. An unknown kind raises ``ValueError``.
    """
    devices = list(devices or DEVICES)
    if kind == "default":
        return tf.distribute.get_strategy()
    if kind == "one_device":
        return tf.distribute.OneDeviceStrategy(devices[0])
    if kind == "mirrored":
        return tf.distribute.MirroredStrategy(devices, cross_device_ops=tf.distribute.ReductionToOneDevice())
    if kind == "central_storage":
        return tf.distribute.experimental.CentralStorageStrategy(compute_devices=devices,
                                                                 parameter_device=devices[0])
    raise ValueError(f"unknown strategy kind {kind!r}")


def select_strategy(tf_config, num_devices: int) -> str:
    """Which strategy fits the environment: ``tf_config`` is the ``TF_CONFIG`` JSON string or None.

    A cluster with a ``"ps"`` job -> ``"parameter_server"``; else a cluster with more than one
    ``"worker"`` (plus ``"chief"``) task -> ``"multi_worker"``; else ``num_devices > 1`` ->
    ``"mirrored"``; else ``"default"``.
    """
    cluster = json.loads(tf_config).get("cluster", {}) if tf_config else {}
    if cluster.get("ps"):
        return "parameter_server"
    if len(cluster.get("worker", [])) + len(cluster.get("chief", [])) > 1:
        return "multi_worker"
    return "mirrored" if num_devices > 1 else "default"


def run_multi_worker(workdir: str, x, y, initial_weights, global_batch: int, epochs: int, lr: float,
                     num_workers: int = 2, timeout: float = 120.0) -> list:
    """Synchronous training with ``MultiWorkerMirroredStrategy`` in ``num_workers`` processes.

    Write a worker script and its data into ``workdir``; start ``num_workers`` processes
    (``sys.executable``) on localhost, each with its own ``TF_CONFIG``
    (``{"cluster": {"worker": ["127.0.0.1:PORT", ...]}, "task": {"type": "worker", "index": i}}``, free
    ports; start them with ``run_processes``). Each worker builds ``build_mlp``'s architecture with
    ``initial_weights`` and ``SGD(lr)`` in the strategy's scope and trains for ``epochs`` epochs on
    ``(x, y)`` batched by ``global_batch`` (in order, ``AutoShardPolicy.DATA``, distributed with
    ``experimental_distribute_dataset``) with a custom ``strategy.run`` step (sparse cross-entropy from
    logits averaged over the global batch), the loop over the dataset inside a ``tf.function``. Not
    ``model.fit``, and no eager loop over the distributed dataset: both all-reduce eagerly through a
    thread pool that needs ``/dev/shm``, which the grader's sandbox lacks.

    Returns one dict per worker, ordered by task id: ``{"task_id", "num_replicas", "weights"}``
    (``num_replicas`` is the strategy's ``num_replicas_in_sync``; ``weights`` the list of arrays).
    """
    worker_source = textwrap.dedent('''
        import json, os, sys
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
        import numpy as np
        import tensorflow as tf

        workdir = sys.argv[1]
        config = json.load(open(os.path.join(workdir, "config.json")))
        data = np.load(os.path.join(workdir, "data.npz"))
        weights = [data[f"w{i}"] for i in range(4)]
        strategy = tf.distribute.MultiWorkerMirroredStrategy(
            communication_options=tf.distribute.experimental.CommunicationOptions(
                implementation=tf.distribute.experimental.CommunicationImplementation.RING))
        global_batch = config["global_batch"]
        with strategy.scope():
            model = tf.keras.Sequential([
                tf.keras.Input((weights[0].shape[0],)),
                tf.keras.layers.Dense(weights[0].shape[1], activation="relu"),
                tf.keras.layers.Dense(weights[2].shape[1])])
            model.set_weights(weights)
            optimizer = tf.keras.optimizers.SGD(config["lr"])
        ds = tf.data.Dataset.from_tensor_slices((data["x"], data["y"])).batch(global_batch)
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
        dist = strategy.experimental_distribute_dataset(ds.with_options(options))

        def replica_step(x, y):
            with tf.GradientTape() as tape:
                logits = model(x, training=True)
                per_example = tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True)
                loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        @tf.function
        def train_epoch():
            # The loop over the distributed dataset runs in the graph: iterating it eagerly all-reduces
            # the batch sizes through a thread pool that needs /dev/shm.
            total = tf.constant(0.0)
            for batch in dist:
                total += strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(replica_step, args=batch),
                                         axis=None)
            return total

        for epoch in range(config["epochs"]):
            train_epoch()
        task_id = strategy.cluster_resolver.task_id
        np.savez(os.path.join(workdir, f"weights-{task_id}.npz"), *model.get_weights())
        with open(os.path.join(workdir, f"info-{task_id}.json"), "w") as f:
            json.dump({"task_id": int(task_id), "num_replicas": int(strategy.num_replicas_in_sync)}, f)
    ''')

    os.makedirs(workdir, exist_ok=True)
    script = os.path.join(workdir, "mwms_worker.py")
    with open(script, "w") as f:
        f.write(worker_source)
    np.savez(os.path.join(workdir, "data.npz"), x=np.asarray(x, np.float32), y=np.asarray(y, np.int32),
             **{f"w{i}": np.asarray(w, np.float32) for i, w in enumerate(initial_weights)})
    with open(os.path.join(workdir, "config.json"), "w") as f:
        json.dump({"global_batch": int(global_batch), "epochs": int(epochs), "lr": float(lr)}, f)
    cluster = {"worker": [f"127.0.0.1:{free_port()}" for _ in range(num_workers)]}
    envs = [dict(os.environ, TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}))
            for i in range(num_workers)]
    model = tf.keras.Sequential([tf.keras.Input((x.shape[1],)),
                                 tf.keras.layers.Dense(initial_weights[0].shape[1], activation="relu"),
                                 tf.keras.layers.Dense(initial_weights[2].shape[1])])
    model.set_weights([np.asarray(w, np.float32) for w in initial_weights])
    model.compile(optimizer=tf.keras.optimizers.SGD(lr),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(np.asarray(x, np.float32), np.asarray(y, np.int32), batch_size=global_batch, epochs=epochs,
              shuffle=False, verbose=0)
    for i in range(num_workers):
        np.savez(os.path.join(workdir, f"weights-{i}.npz"), *model.get_weights())
        with open(os.path.join(workdir, f"info-{i}.json"), "w") as f:
            json.dump({"task_id": i, "num_replicas": num_workers}, f)
    results = []
    for i in range(num_workers):
        with open(os.path.join(workdir, f"info-{i}.json")) as f:
            info = json.load(f)
        with np.load(os.path.join(workdir, f"weights-{i}.npz")) as saved:
            info["weights"] = [saved[f"arr_{k}"] for k in range(len(saved.files))]
        results.append(info)
    return results


def run_parameter_server(workdir: str, x, y, x_test, steps: int, num_workers: int = 2, num_ps: int = 1,
                         batch: int = 32, lr: float = 0.1, hidden: int = 16, timeout: float = 120.0) -> dict:
    """Asynchronous training with ``ParameterServerStrategy`` on an in-process cluster, in a subprocess.

    The subprocess (``sys.executable`` running a script you write into ``workdir``, started with
    ``run_processes``) starts
    ``num_workers`` worker and ``num_ps`` ps ``tf.distribute.Server``s on free ports of 127.0.0.1 (give
    the worker servers ``inter_op_parallelism_threads = num_workers + 1`` or the coordinator
    deadlocks), a ``ParameterServerStrategy`` and a ``ClusterCoordinator``. It builds ``build_mlp``'s
    architecture (``hidden`` units, as many classes as ``y.max() + 1``) and ``SGD(lr)`` in the scope,
    makes a per-worker dataset of ``(x, y)`` shuffled, repeated and batched by ``batch``, schedules
    ``steps`` training steps, joins, and predicts ``x_test`` (argmax of the logits).

    Returns ``{"steps_done": optimizer.iterations, "losses": [one per scheduled step],
    "variable_devices": [v.device for v in model.variables], "num_workers": int,
    "predictions": list of int}``.
    """
    cluster_source = textwrap.dedent('''
        import json, os, socket, sys
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
        import numpy as np
        import tensorflow as tf

        def free_port():
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                return s.getsockname()[1]

        workdir = sys.argv[1]
        config = json.load(open(os.path.join(workdir, "config.json")))
        data = np.load(os.path.join(workdir, "data.npz"))
        num_workers, num_ps = config["num_workers"], config["num_ps"]
        cluster = tf.train.ClusterSpec({"worker": [f"127.0.0.1:{free_port()}" for _ in range(num_workers)],
                                        "ps": [f"127.0.0.1:{free_port()}" for _ in range(num_ps)]})
        # Small thread pools (every server of this process has its own): the worker servers need more
        # inter-op threads than there are workers, or the coordinator deadlocks.
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(2)
        worker_config = tf.compat.v1.ConfigProto(inter_op_parallelism_threads=num_workers + 1,
                                                 intra_op_parallelism_threads=1)
        ps_config = tf.compat.v1.ConfigProto(inter_op_parallelism_threads=2, intra_op_parallelism_threads=1)
        servers = [tf.distribute.Server(cluster, job_name="worker", task_index=i, config=worker_config,
                                        protocol="grpc") for i in range(num_workers)]
        servers += [tf.distribute.Server(cluster, job_name="ps", task_index=i, config=ps_config, protocol="grpc")
                    for i in range(num_ps)]
        resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(cluster, rpc_layer="grpc")
        strategy = tf.distribute.ParameterServerStrategy(resolver)
        coordinator = tf.distribute.coordinator.ClusterCoordinator(strategy)
        x, y = data["x"], data["y"]
        with strategy.scope():
            model = tf.keras.Sequential([
                tf.keras.Input((x.shape[1],)),
                tf.keras.layers.Dense(config["hidden"], activation="relu",
                                      kernel_initializer=tf.keras.initializers.GlorotUniform(0)),
                tf.keras.layers.Dense(int(y.max()) + 1, kernel_initializer=tf.keras.initializers.GlorotUniform(1))])
            optimizer = tf.keras.optimizers.SGD(config["lr"])

        def dataset_fn():  # called with no argument by create_per_worker_dataset
            return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=0).repeat().batch(config["batch"])

        iterator = iter(coordinator.create_per_worker_dataset(dataset_fn))

        @tf.function
        def train_step(iterator):
            def step_fn(xb, yb):
                with tf.GradientTape() as tape:
                    logits = model(xb, training=True)
                    loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(yb, logits, from_logits=True))
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
                return loss
            return strategy.run(step_fn, args=next(iterator))

        results = [coordinator.schedule(train_step, args=(iterator,)) for _ in range(config["steps"])]
        coordinator.join()
        losses = [float(r.fetch()) for r in results]
        predictions = np.argmax(model(data["x_test"]).numpy(), axis=-1)
        with open(os.path.join(workdir, "result.json"), "w") as f:
            json.dump({"steps_done": int(optimizer.iterations.numpy()), "losses": losses,
                       "variable_devices": [v.device for v in model.variables],
                       "num_workers": cluster.num_tasks("worker"),
                       "predictions": predictions.astype(int).tolist()}, f)
    ''')
    os.makedirs(workdir, exist_ok=True)
    script = os.path.join(workdir, "ps_cluster.py")
    with open(script, "w") as f:
        f.write(cluster_source)
    np.savez(os.path.join(workdir, "data.npz"), x=np.asarray(x, np.float32), y=np.asarray(y, np.int32),
             x_test=np.asarray(x_test, np.float32))
    with open(os.path.join(workdir, "config.json"), "w") as f:
        json.dump({"num_workers": num_workers, "num_ps": num_ps, "steps": int(steps), "batch": int(batch),
                   "lr": float(lr), "hidden": int(hidden)}, f)
    run_processes([[sys.executable, script, workdir]], [dict(os.environ)], timeout)
    with open(os.path.join(workdir, "result.json")) as f:
        return json.load(f)
