"""The run-setup panel: every knob of a RunConfig, each with a one-sentence explanation."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganvis.engine import ConfigError, RunConfig
from ganvis.engine.config import AUGMENT_CHOICES, LIKELIHOOD_CHOICES, LOSS_CHOICES, PRIOR_CHOICES
from ganvis.engine.devices.device import choices as device_choices
from ganvis.engine.family import all_families, family

TIPS = {
    "model": "DCGAN: transposed convolutions up, strided convolutions down (Radford et al.). "
             "MLP GAN: fully connected layers, as in the original paper. Autoencoders: an "
             "encoder f and decoder g with g(f(x)) ≈ x; the adversarial one (Makhzani et al.) "
             "also makes the codes f(x) look like samples of the prior; the supervised one "
             "gives the decoder the digit, so the code keeps only the style.",
    "data": "What the discriminator calls real. Images: Open… takes MNIST-format IDX files, "
            ".npz or HDF5 arrays. Points (2-D GAN): built-in sets, or Open… a .csv, .npy or "
            ".npz of N x 2 numbers.",
    "betas": "Adam's momentum (β1) and its moving average of squared gradients (β2), for G "
             "and D alike. High momentum (0.9) can make a GAN oscillate or collapse.",
    "pack": "PacGAN: D judges this many samples at once, which makes a G that covers only "
            "some modes easy to catch (2-D GAN).",
    "g_ema": "Samples, the sliders, the quality metrics and exports come from an average of "
             "the generator's weights (G, or an autoencoder's decoder) with this decay (0: from "
             "the generator itself); D still plays against G itself. Both are saved.",
    "augment": "DiffAugment (Zhao et al.): every image D judges, real and fake, is shifted by "
               "up to 1/8 of its size and/or has a square of half its size blanked, so D "
               "cannot memorise a few thousand images. G is never taught to draw the "
               "augmentations; the strip under the samples shows what D sees.",
    "width": "Network size: hidden units of the MLP's narrowest layer, or the DCGAN's base "
             "number of channels.",
    "depth": "Hidden layers of the MLP GAN (each doubles the width); the DCGAN's depth is fixed.",
    "loss": "Non-saturating: G maximises log D(G(z)), strong gradients early. Minimax: G "
            "minimises log(1 - D(G(z))), the paper's game, which stalls while D wins easily.",
    "prior": "The noise p(z) the generator turns into images (for an AAE: the distribution "
             "its codes are pushed toward): a standard normal, a uniform cube [-1, 1]^d, or "
             "ten Gaussians on a circle in 2-D.",
    "likelihood": "Autoencoders: pixels as Gaussian (tanh output, squared error) or "
                  "Bernoulli (sigmoid output, cross-entropy, for black-and-white data); auto "
                  "picks Bernoulli for binarised data.",
    "latent": "Dimensions of z, the generator's input code.",
    "k": "Discriminator updates per generator update (k in Goodfellow et al.'s Algorithm 1).",
    "lr_g": "Adam step size for the generator (autoencoders: for the reconstruction phase).",
    "lr_d": "Adam step size for the discriminator (AAE: for the regularisation phase, D and "
            "the encoder as its generator).",
    "batch": "Real and fake images per update; bigger batches give smoother gradients.",
    "device": "Where training runs: auto picks a CUDA GPU, then Apple MPS, then the CPU.",
    "seed": "Same seed, same settings, same device: the same run, step for step.",
    "metrics": "Score the generator (FCD, digits covered, classifier score) at most every this "
               "many steps, and never with more than 5% of the training time; 0 turns it off. "
               "Built-in digits, or a labelled data set of yours once `ganvis judge` has trained "
               "its judge.",
}


class SetupPanel(QWidget):
    changed = Signal()
    open_data_requested = Signal()
    reset_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout()
        # The model combo announces a change only after _on_model has put in the family's
        # defaults: announced earlier, a run would start with the old family's sizes.
        self.model = self._combo([(f.name, f.title) for f in all_families()], TIPS["model"],
                                 announce=False)
        self.data = QComboBox()
        self.data.setToolTip(TIPS["data"])
        self.kind = None  # the kind of data the list offers (images or points)
        self.opened: dict[str, list[tuple[str, str]]] = {}  # kind -> opened files
        self.data.currentIndexChanged.connect(self._emit)
        open_data = QPushButton("Open…")
        open_data.setToolTip("Open a data set of the kind the model trains on: images (IDX, "
                             ".npz, HDF5) or points (.csv, .npy, .npz)")
        open_data.clicked.connect(self.open_data_requested)
        data_row = QHBoxLayout()
        data_row.addWidget(self.data, 1)
        data_row.addWidget(open_data)
        self.width = self._spin(2, 4096, TIPS["width"])
        self.depth = self._spin(1, 8, TIPS["depth"])
        self.loss = self._combo(LOSS_CHOICES.items(), TIPS["loss"])
        self.prior = self._combo(PRIOR_CHOICES.items(), TIPS["prior"])
        self.likelihood = self._combo(LIKELIHOOD_CHOICES.items(), TIPS["likelihood"])
        self.latent = self._spin(1, 1024, TIPS["latent"])
        self.k = self._spin(1, 100, TIPS["k"])
        self.lr_g = self._number(5, 0.00001, 1.0, 0.0001, TIPS["lr_g"])
        self.lr_d = self._number(5, 0.00001, 1.0, 0.0001, TIPS["lr_d"])
        self.batch = self._spin(1, 65536, TIPS["batch"])
        self.device = self._combo(device_choices(), TIPS["device"])
        self.seed = self._spin(0, 2**31 - 1, TIPS["seed"])
        self.beta1, self.beta2 = (self._number(3, 0.0, 0.999, 0.05, TIPS["betas"])
                                  for _ in range(2))
        betas_row = QHBoxLayout()
        betas_row.addWidget(self.beta1)
        betas_row.addWidget(self.beta2)
        self.pack = self._spin(1, 16, TIPS["pack"])
        self.g_ema = self._number(4, 0.0, 0.9999, 0.001, TIPS["g_ema"])
        self.augment = self._combo(AUGMENT_CHOICES.items(), TIPS["augment"])
        self.metrics = self._spin(0, 1_000_000, TIPS["metrics"])
        self.metrics.setSpecialValueText("off")
        for label, w in (("Model", self.model), ("Data", data_row), ("Width", self.width),
                         ("Depth", self.depth), ("G loss", self.loss), ("Prior p(z)", self.prior),
                         ("Pixels (AE)", self.likelihood),
                         ("Latent size", self.latent), ("k (D steps per G step)", self.k),
                         ("Learning rate G", self.lr_g), ("Learning rate D", self.lr_d),
                         ("Adam β1, β2", betas_row),
                         ("Batch size", self.batch), ("Pack (D sees m at once)", self.pack),
                         ("Average G (decay)", self.g_ema), ("Augment D's images", self.augment),
                         ("Device", self.device),
                         ("Seed", self.seed), ("Quality every (steps)", self.metrics)):
            form.addRow(label, w)
        self.banner = QLabel("Settings changed: press Reset to start a run with them.")
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.error = QLabel()
        self.error.setStyleSheet("color: #ff8080")
        self.error.setWordWrap(True)
        self.error.hide()
        reset = QPushButton("Reset with these settings")
        reset.setToolTip("Start a new run from step 0 with the settings above (Ctrl+R)")
        reset.clicked.connect(self.reset_requested)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.banner)
        layout.addWidget(reset)
        layout.addStretch(1)
        self._quiet = False
        self.model.currentIndexChanged.connect(self._on_model)
        self.set_config(RunConfig())

    # --- widgets ---------------------------------------------------------------------------

    def _combo(self, items, tip: str, announce: bool = True) -> QComboBox:
        c = QComboBox()
        c.setToolTip(tip)
        for value, label in items:
            c.addItem(label, value)
        if announce:
            c.currentIndexChanged.connect(self._emit)
        return c

    def _spin(self, lo: int, hi: int, tip: str) -> QSpinBox:
        s = QSpinBox()
        s.setRange(lo, hi)
        s.setToolTip(tip)
        s.setKeyboardTracking(False)
        s.valueChanged.connect(self._emit)
        return s

    def _number(self, decimals: int, lo: float, hi: float, step: float,
                tip: str) -> QDoubleSpinBox:
        s = QDoubleSpinBox()
        s.setDecimals(decimals)
        s.setRange(lo, hi)
        s.setSingleStep(step)
        s.setToolTip(tip)
        s.setKeyboardTracking(False)
        s.valueChanged.connect(self._emit)
        return s

    def _emit(self, *_) -> None:
        if not self._quiet:
            self.changed.emit()

    def _on_model(self, *_) -> None:
        if self._quiet:
            return
        fam = family(self.model.currentData())
        d = fam.defaults
        self._quiet = True
        self.latent.setValue(d["latent_dim"])
        self.width.setValue(d["width"])
        self.depth.setValue(d["depth"])
        self.lr_g.setValue(d["lr_g"])
        self.lr_d.setValue(d["lr_d"])
        self.beta1.setValue(d["betas_g"][0])
        self.beta2.setValue(d["betas_g"][1])
        self.batch.setValue(d.get("batch_size", self.batch.value()))
        self.g_ema.setValue(d.get("g_ema", 0.0))
        _select(self.augment, d.get("augment", "off"))
        self.pack.setValue(1)
        if fam.data.name != self.kind:  # points <-> images: that kind's data
            self._fill_data(fam.data.name, fam.data.default)
        self._quiet = False
        self._enable_for(self.model.currentData())
        self.changed.emit()

    def _enable_for(self, model: str) -> None:
        """Only the settings that mean something for the family can be changed."""
        settings = family(model).settings
        for name, widget in (("depth", self.depth), ("likelihood", self.likelihood),
                             ("k_disc", self.k), ("loss", self.loss), ("lr_d", self.lr_d),
                             ("pack", self.pack), ("g_ema", self.g_ema),
                             ("augment", self.augment)):
            widget.setEnabled(name in settings)

    # --- values ------------------------------------------------------------------------------

    def add_data(self, spec: str, label: str | None = None, select: bool = True,
                 kind: str | None = None) -> None:
        """Offer a data set (e.g. an opened file) of `kind` (default: the one listed), and
        select it unless told not to."""
        kind = kind or self.kind
        files = self.opened.setdefault(kind, [])
        if all(s != spec for s, _ in files) and spec not in _kind(kind).builtin:
            files.append((spec, label or spec))
        if kind != self.kind:
            return
        i = self.data.findData(spec)
        if i < 0:
            self.data.addItem(label or spec, spec)
            i = self.data.count() - 1
        if select:
            self.data.setCurrentIndex(i)

    def _fill_data(self, kind: str, select: str) -> None:
        """List the built-in sets and the opened files of this kind of data."""
        self.kind = kind
        self.data.clear()
        for spec, label in (*_kind(kind).builtin.items(), *self.opened.get(kind, [])):
            self.data.addItem(label, spec)
        self.add_data(select)

    def set_config(self, c: RunConfig) -> None:
        self._quiet = True
        try:
            _select(self.model, c.model)
            kind = family(c.model).data.name
            if kind != self.kind:
                self._fill_data(kind, c.data)
            self.add_data(c.data)
            self.pack.setValue(c.pack)
            self.g_ema.setValue(c.g_ema)
            _select(self.augment, c.augment)
            self.width.setValue(c.width)
            self.depth.setValue(c.depth)
            self._enable_for(c.model)
            _select(self.likelihood, c.likelihood)
            _select(self.loss, c.loss)
            _select(self.prior, c.prior)
            self.latent.setValue(c.latent_dim)
            self.k.setValue(c.k_disc)
            self.lr_g.setValue(c.lr_g)
            self.lr_d.setValue(c.lr_d)
            self.beta1.setValue(c.betas_g[0])
            self.beta2.setValue(c.betas_g[1])
            self.batch.setValue(c.batch_size)
            if self.device.findData(c.device) < 0:
                self.device.addItem(c.device, c.device)
            _select(self.device, c.device)
            self.seed.setValue(min(c.seed, self.seed.maximum()))
            self.metrics.setValue(min(c.metrics_every, self.metrics.maximum()))
        finally:
            self._quiet = False

    def config(self) -> RunConfig | None:
        """The config the panel shows, or None (with the reason shown) if it is invalid."""
        try:
            c = RunConfig(
                model=self.model.currentData(), data=self.data.currentData(),
                latent_dim=self.latent.value(), width=self.width.value(),
                depth=self.depth.value(), loss=self.loss.currentData(),
                prior=self.prior.currentData(), k_disc=self.k.value(),
                lr_g=self.lr_g.value(), lr_d=self.lr_d.value(), batch_size=self.batch.value(),
                betas_g=(self.beta1.value(), self.beta2.value()),
                betas_d=(self.beta1.value(), self.beta2.value()),
                seed=self.seed.value(), device=self.device.currentData(),
                likelihood=self.likelihood.currentData(),
                metrics_every=self.metrics.value(), pack=self.pack.value(),
                g_ema=self.g_ema.value(), augment=self.augment.currentData(),
            )
        except ConfigError as e:
            self.error.setText(str(e))
            self.error.show()
            return None
        self.error.hide()
        return c

    def show_pending(self, pending: bool) -> None:
        self.banner.setVisible(pending)


def _select(combo: QComboBox, value) -> None:
    i = combo.findData(value)
    if i >= 0:
        combo.setCurrentIndex(i)


def _kind(name: str):
    """The DataKind called `name` (images or points), from the families that train on it."""
    return next(f.data for f in all_families() if f.data.name == name)
