"""The data sets a user opens or draws: offered in the setup panel by kind (images for the
image families, points for the 2-D GAN) and remembered between sessions."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ganvis.app.messages import tell
from ganvis.app.settings import add_recent, recent
from ganvis.app.setup_panel import SetupPanel
from ganvis.app.views.draw_points import DrawPointsDialog
from ganvis.engine.data import refuse_ganvis_file
from ganvis.engine.data.idx import idx_name
from ganvis.engine.errors import DataError
from ganvis.engine.family import DataKind, all_families, family


class DataFiles(QObject):
    def __init__(self, window: QWidget, setup: SetupPanel, settings: QSettings) -> None:
        super().__init__(window)
        self.window, self.setup, self.settings = window, setup, settings

    def kind(self) -> DataKind:
        """What the chosen family trains on."""
        return family(self.setup.model.currentData()).data

    def open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open data set", "",
                                              self.kind().file_filter)
        if path:
            self.use(path)

    def open_folder(self) -> None:
        """A folder of pictures for the image families (one subfolder per class: labels)."""
        path = QFileDialog.getExistingDirectory(self.window, "Open a folder of pictures")
        if path:
            spec = f"images:{path}"
            add_recent(self.settings, "data/images", spec)
            self.setup.add_data(spec, f"{Path(path).name} (pictures)", True, "images")

    def use(self, path: str) -> None:
        """Offer a file of the chosen family's kind of data, and select it; a file ganvis
        wrote (a model) is refused at once, not at the next Reset."""
        try:
            refuse_ganvis_file(path)
        except DataError as e:
            tell(self.window, QMessageBox.Icon.Warning, str(e))
            return
        kind = self.kind()
        suffix = Path(path).suffix.lower()
        spec = f"{kind.specs.get(suffix, kind.specs.get('', 'npz'))}:{path}"
        add_recent(self.settings, f"data/{kind.name}", spec)
        self.setup.add_data(spec, data_label(path))

    def draw(self) -> None:
        """Draw a distribution, save it where the user says, and train on it."""
        dialog = DrawPointsDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.use)
        dialog.open()

    def restore_recent(self) -> None:
        """Offer again the files opened in earlier sessions that are still there."""
        for kind in {f.data.name for f in all_families()}:
            for spec in reversed(recent(self.settings, f"data/{kind}")):
                path = Path(spec.split(":", 1)[-1])
                if path.exists() and not _ganvis_file(path):  # a model kept by an older ganvis
                    self.setup.add_data(spec, path.name, False, kind)


def _ganvis_file(path: Path) -> bool:
    try:
        refuse_ganvis_file(path)
    except DataError:
        return True
    return False


def data_label(path: str) -> str:
    """The data list's name for a file: IDX files are named alike in every data set, so their
    folder and split ('fashion-mnist/train (IDX)'), else the file's name."""
    p = Path(path)
    if "idx3-ubyte" in p.name:
        return f"{idx_name(p)} (IDX)"
    return p.name
