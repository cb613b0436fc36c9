# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, PACKAGE come from the reference setup cell)
# AdaBound's bounds use t - 1 (the iteration count before this step), so the first step's bounds are
# [0, inf): an off-by-one in the step counter.
# %% [q5]
@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class MomentumSGD(tf.keras.optimizers.Optimizer):
    """SGD with momentum on the new ``tf.keras.optimizers.Optimizer`` API (same rule as Keras ``SGD``).

    ``v <- momentum v - lr g``; then ``w <- w + v`` (or, with ``nesterov``,
    ``w <- w + momentum v - lr g``). One ``velocity`` slot per variable, made in ``build`` with
    ``add_variable_from_reference``. A sparse gradient (``tf.IndexedSlices``, from an embedding) is
    applied without densifying it, with the same non-lazy result as the dense rule: every row's
    velocity decays each step, only the touched rows get ``- lr g``.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="MomentumSGD", **kwargs):
        super().__init__(name=name, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self.velocities = [self.add_variable_from_reference(var, "velocity") for var in var_list]

    def update_step(self, gradient, variable):
        lr = tf.cast(self.learning_rate, variable.dtype)
        momentum = tf.cast(self.momentum, variable.dtype)
        velocity = self.velocities[self._index_dict[self._var_key(variable)]]
        if isinstance(gradient, tf.IndexedSlices):
            velocity.assign(momentum * velocity)
            velocity.scatter_add(tf.IndexedSlices(-lr * gradient.values, gradient.indices))
            if self.nesterov:
                variable.assign_add(momentum * velocity)
                variable.scatter_add(tf.IndexedSlices(-lr * gradient.values, gradient.indices))
            else:
                variable.assign_add(velocity)
        else:
            velocity.assign(momentum * velocity - lr * gradient)
            if self.nesterov:
                variable.assign_add(momentum * velocity - lr * gradient)
            else:
                variable.assign_add(velocity)

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter(self._learning_rate),
                       "momentum": self.momentum, "nesterov": self.nesterov})
        return config


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class AdaBound(tf.keras.optimizers.Optimizer):
    """AdaBound (Luo et al. 2019, the official formulation) on the new optimizer API, dense gradients.

    At step ``t`` (1, 2, ...): ``m <- b1 m + (1-b1) g``; ``v <- b2 v + (1-b2) g**2``;
    ``step = lr sqrt(1 - b2**t) / (1 - b1**t)`` (the bias correction lives here only);
    ``lower = final_lr (1 - 1/(gamma t + 1))``, ``upper = final_lr (1 + 1/(gamma t))``;
    ``w <- w - clip(step / (sqrt(v) + epsilon), lower, upper) * m``. Slots ``m`` and ``v`` per variable.
    """

    def __init__(self, learning_rate=1e-3, final_lr=0.1, gamma=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 name="AdaBound", **kwargs):
        super().__init__(name=name, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.final_lr = float(final_lr)
        self.gamma = float(gamma)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)

    def build(self, var_list):
        super().build(var_list)
        if getattr(self, "_built", False):
            return
        self._built = True
        self.moments = [self.add_variable_from_reference(var, "m") for var in var_list]
        self.second_moments = [self.add_variable_from_reference(var, "v") for var in var_list]

    def update_step(self, gradient, variable):
        dtype = variable.dtype
        gradient = tf.convert_to_tensor(gradient)
        index = self._index_dict[self._var_key(variable)]
        m, v = self.moments[index], self.second_moments[index]
        t = tf.cast(self.iterations + 1, dtype)
        t_bounds = tf.cast(self.iterations, dtype) + 1e-12
        lr = tf.cast(self.learning_rate, dtype)
        m.assign(self.beta_1 * m + (1.0 - self.beta_1) * gradient)
        v.assign(self.beta_2 * v + (1.0 - self.beta_2) * tf.square(gradient))
        step = lr * tf.sqrt(1.0 - tf.pow(tf.cast(self.beta_2, dtype), t)) / (1.0 - tf.pow(tf.cast(self.beta_1,
                                                                                               dtype), t))
        lower = self.final_lr * (1.0 - 1.0 / (self.gamma * t_bounds + 1.0))
        upper = self.final_lr * (1.0 + 1.0 / (self.gamma * t_bounds))
        bounded = tf.clip_by_value(step / (tf.sqrt(v) + self.epsilon), lower, upper)
        variable.assign_sub(bounded * m)

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter(self._learning_rate),
                       "final_lr": self.final_lr, "gamma": self.gamma, "beta_1": self.beta_1,
                       "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
