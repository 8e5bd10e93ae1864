#include "app/results_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <algorithm>

#include "attnsweep/engine/format.h"
#include "attnsweep/engine/report.h"
#include "core/colors.h"
#include "core/comparison.h"

namespace attnsweep::gui {

ResultsModel::ResultsModel(const ResultsDocument* doc, QObject* parent) : QAbstractTableModel(parent), doc_(doc) {
  connect(doc, &ResultsDocument::reset, this, [this] {
    beginResetModel();
    rebuild();
    endResetModel();
  });
  connect(doc, &ResultsDocument::appended, this, &ResultsModel::onAppended);
  connect(doc, &ResultsDocument::baselineChanged, this, [this] {
    beginResetModel();
    if (sort_column_ >= ratioSection()) sort_column_ = -1;
    rebuild();
    endResetModel();
  });
  rebuild();
}

int ResultsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

Column ResultsModel::columnAt(int section) { return table_columns()[static_cast<std::size_t>(section)]; }

int ResultsModel::sectionOf(Column c) {
  const auto columns = table_columns();
  const auto it = std::find(columns.begin(), columns.end(), c);
  return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
}

int ResultsModel::columnCount(const QModelIndex& parent) const {
  if (parent.isValid()) return 0;
  return doc_->comparison() ? verdictSection() + 1 : ratioSection();
}

const CellComparison* ResultsModel::comparisonOf(const CellResult& r) const {
  return doc_->comparison() ? doc_->comparison()->find(r.cell) : nullptr;
}

QVariant ResultsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const std::size_t result_index = rows_[static_cast<std::size_t>(index.row())];
  const CellResult& r = doc_->results()[result_index];
  if (index.column() >= ratioSection()) {
    const CellComparison* c = comparisonOf(r);
    if (!c) return {};
    const bool ratio = index.column() == ratioSection();
    switch (role) {
      case Qt::DisplayRole: return QString::fromStdString(ratio ? ratio_with_interval(*c) : verdict_text(*c));
      case Qt::ToolTipRole: return QString::fromStdString(c->note.empty() ? std::string(evidence_name(c->evidence)) : c->note);
      case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::Alignment((ratio ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter));
      case Qt::ForegroundRole:
        if (c->verdict == Verdict::slower || c->verdict == Verdict::status_changed) return QBrush(QColor(176, 32, 32));
        if (c->verdict == Verdict::faster) return QBrush(QColor(33, 102, 172));
        return {};
      case kResultIndexRole: return QVariant::fromValue(static_cast<qulonglong>(result_index));
      default: return {};
    }
  }
  const Column column = columnAt(index.column());
  const ColumnInfo& info = column_info(column);
  const bool failed = r.status != CellStatus::ok;
  switch (role) {
    case Qt::DisplayRole: return QString::fromStdString(cell_text(r, column));
    case Qt::ToolTipRole:
      if (failed) return QString::fromStdString(status_label(r.status) + (r.message.empty() ? "" : ": " + r.message));
      return QString::fromStdString(r.cell.id());
    case Qt::TextAlignmentRole:
      return QVariant::fromValue(Qt::Alignment(info.numeric ? Qt::AlignRight | Qt::AlignVCenter
                                                            : Qt::AlignLeft | Qt::AlignVCenter));
    case Qt::ForegroundRole:
      if (failed && (column == Column::status || info.measured)) {
        const bool bad = r.status == CellStatus::wrong || r.status == CellStatus::error ||
                         r.status == CellStatus::crashed || r.status == CellStatus::timeout;
        return QBrush(bad ? QColor(176, 32, 32) : QColor(110, 110, 120));
      }
      return {};
    case Qt::BackgroundRole:
      if (failed && column == Column::status) {
        const Rgb c = status_color(r.status);
        return QBrush(QColor(c.r, c.g, c.b));
      }
      return {};
    case Qt::FontRole:
      if (column == Column::median_ms && !failed) {
        QFont f;
        f.setBold(true);
        return f;
      }
      return {};
    case kResultIndexRole: return QVariant::fromValue(static_cast<qulonglong>(result_index));
    default: return {};
  }
}

QVariant ResultsModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || section < 0 || section >= columnCount())
    return QAbstractTableModel::headerData(section, o, role);
  if (section >= ratioSection()) {
    const bool ratio = section == ratioSection();
    if (role == Qt::DisplayRole) return ratio ? tr("NEW/BASE") : tr("verdict");
    if (role == Qt::ToolTipRole)
      return ratio ? tr("The median time against the baseline run's, with its 95% interval")
                   : tr("Against the baseline run: same, faster, slower, noisy (the data cannot tell), "
                        "status-changed, new");
    return {};
  }
  const ColumnInfo& info = column_info(columnAt(section));
  if (role == Qt::DisplayRole) return QString::fromUtf8(info.name.data(), static_cast<int>(info.name.size()));
  if (role == Qt::ToolTipRole) return QString::fromUtf8(info.tooltip.data(), static_cast<int>(info.tooltip.size()));
  return {};
}

void ResultsModel::sort(int column, Qt::SortOrder order) {
  if (column < 0 || column >= ratioSection()) return;  // the comparison's sections keep the row order
  sort_column_ = column;
  sort_order_ = order;
  emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
  const QModelIndexList before = persistentIndexList();
  std::vector<std::size_t> old_results;
  for (const QModelIndex& i : before) old_results.push_back(rows_[static_cast<std::size_t>(i.row())]);
  rows_ = sorted_rows(doc_->results(), std::move(rows_), columnAt(column), order == Qt::AscendingOrder);
  QModelIndexList after;
  for (int k = 0; k < before.size(); ++k) after.push_back(index(rowOfResult(old_results[static_cast<std::size_t>(k)]), before[k].column()));
  changePersistentIndexList(before, after);
  emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void ResultsModel::setFilter(const QString& text) {
  beginResetModel();
  filter_ = parse_row_filter(text.toStdString());
  if (!filter_.error.empty()) filter_ = RowFilter{{}, {}, filter_.error};
  rebuild();
  endResetModel();
}

int ResultsModel::rowOfResult(std::size_t index) const {
  for (std::size_t r = 0; r < rows_.size(); ++r)
    if (rows_[r] == index) return static_cast<int>(r);
  return -1;
}

QString ResultsModel::markdown(const std::vector<int>& rows) const {
  std::vector<std::size_t> picked;
  if (rows.empty()) picked = rows_;
  for (int r : rows) picked.push_back(rows_.at(static_cast<std::size_t>(r)));
  return QString::fromStdString(markdown_table(doc_->results(), picked, table_columns()));
}

void ResultsModel::rebuild() {
  rows_.clear();
  const auto& results = doc_->results();
  for (std::size_t i = 0; i < results.size(); ++i)
    if (filter_.matches(results[i])) rows_.push_back(i);
  if (sort_column_ >= 0)
    rows_ = sorted_rows(results, std::move(rows_), columnAt(sort_column_), sort_order_ == Qt::AscendingOrder);
}

void ResultsModel::onAppended(std::size_t first, std::size_t count) {
  // Live rows go at the end; a sorted view is re-sorted as one layout change.
  std::vector<std::size_t> fresh;
  for (std::size_t i = first; i < first + count; ++i)
    if (filter_.matches(doc_->results()[i])) fresh.push_back(i);
  if (fresh.empty()) return;
  const int at = static_cast<int>(rows_.size());
  beginInsertRows({}, at, at + static_cast<int>(fresh.size()) - 1);
  rows_.insert(rows_.end(), fresh.begin(), fresh.end());
  endInsertRows();
  if (sort_column_ >= 0) sort(sort_column_, sort_order_);
}

}  // namespace attnsweep::gui
