/* karavan interface strings in English and Russian; country names from the browser's Intl data. */
(function (root) {
  "use strict";
  var STRINGS = {
    en: {
      tagline: "Freight across the Caspian corridors", hide_panel: "Hide panel", show_panel: "Show panel",
      tab_plan: "Plan", tab_scenarios: "Scenarios", origin: "Origin", destination: "Destination",
      origin_ph: "City, port or border — English or Russian", destination_ph: "e.g. Baku, Стамбул",
      departure: "Departure", unit: "Unit", count: "Count", avoid: "Avoid countries", plan: "Plan routes",
      routes: "Routes", tradeoff: "Trade-off: days against cost (size and colour: CO₂e)",
      dist_title: "Transit time of the selected route", cdf: "Probability of arriving by a date",
      histogram: "Distribution of transit time", target: "Target arrival", on_time: "on time",
      map: "Map", util_toggle: "Network utilisation (yearly demand assigned)", legend_util: "Utilisation (assigned demand)",
      downloads: "Download", dl_geojson: "GeoJSON", dl_csv: "CSV trail", dl_json: "JSON", dl_report: "HTML report",
      save: "Save and share", saved: "Saved. Link:", copy: "Copy link", copied: "Copied",
      planning: "Planning routes…", simulating: "Simulating…", enter_places: "Enter an origin and a destination.",
      n_routes: "{n} Pareto routes from {o} to {d}.", one_route: "1 route from {o} to {d}.",
      unknown_place: "Unknown place “{q}”.", did_you_mean: "Did you mean", days: "days", legs: "legs",
      cost: "Cost", emissions: "Emissions", distance: "Distance", p50: "P50", p90: "P90",
      alternative: "alternative", fastest: "fastest", cheapest: "cheapest", lowest_co2e: "lowest CO₂e", balanced: "balanced", most_reliable: "most reliable",
      leg_list: "Legs and stops", wait: "wait", dwell: "dwell", running: "running", intensity: "g CO₂e/tkm",
      mode_rail: "Rail", mode_sea: "Sea", mode_road: "Road", straight: "drawn straight (no alignment in the dataset)",
      schematic: "schematic alignment (not the track's course)",
      scenario: "Scenario", base: "Base", compare: "Compare with base", comparing: "Comparing…",
      scenario_help: "A scenario changes the network (a new berth, a line, a timetable, a closure). Compare it with the base dataset side by side.",
      sc_routes: "Routes", sc_bottlenecks: "Bottlenecks", sc_route: "Route", sc_delta: "Change", element: "Element",
      util_base: "Base", util_new: "Scenario", show_on_map: "Show utilisation on the map",
      dataset: "Dataset", places: "places", links: "links", api_docs: "API docs", no_dist: "Transit-time distribution unavailable; deterministic time {d} days.",
      util_status: "Utilisation from the built-in yearly demand{s}; bottlenecks: {b}.", assigning: "Assigning the yearly demand…",
      util_unavailable: "Utilisation unavailable: {e}", no_data: "no data", share: "share of runs", transit_days: "transit time, days",
      prob: "probability", usd: "USD", above: "{n} runs above {d} days not shown", language: "Language",
      kind_seaport: "Seaport", kind_rail_terminal: "Rail terminal", kind_dry_port: "Dry port", kind_border_post: "Border post",
      kind_junction: "Junction", kind_city: "City", kind_road_terminal: "Road terminal",
      op_port_handling: "port handling", op_border_crossing: "border crossing", op_gauge_change: "gauge change",
      op_transshipment: "transshipment", op_terminal: "terminal", op_marshalling: "marshalling",
      services: "services", tracks: "tracks", electrified: "electrified", not_electrified: "not electrified", gauge: "gauge",
      reopened: "Saved plan {id} reopened.", plan_missing: "Saved plan {id} could not be opened: {e}",
      save_unavailable: "Saving is not available on this server: {e}", sc_none: "No scenarios are shipped with this dataset."
    },
    ru: {
      tagline: "Грузы через Каспийские коридоры", hide_panel: "Скрыть панель", show_panel: "Показать панель",
      tab_plan: "Маршрут", tab_scenarios: "Сценарии", origin: "Откуда", destination: "Куда",
      origin_ph: "Город, порт или погранпереход — по-русски или по-английски", destination_ph: "например, Баку, Istanbul",
      departure: "Отправление", unit: "Единица", count: "Кол-во", avoid: "Избегать стран", plan: "Построить маршруты",
      routes: "Маршруты", tradeoff: "Компромисс: дни и стоимость (размер и цвет: CO₂e)",
      dist_title: "Время в пути выбранного маршрута", cdf: "Вероятность прибыть к дате",
      histogram: "Распределение времени в пути", target: "Целевая дата", on_time: "вовремя",
      map: "Карта", util_toggle: "Загрузка сети (годовой спрос распределён)", legend_util: "Загрузка (распределённый спрос)",
      downloads: "Скачать", dl_geojson: "GeoJSON", dl_csv: "CSV расчёта", dl_json: "JSON", dl_report: "HTML-отчёт",
      save: "Сохранить и поделиться", saved: "Сохранено. Ссылка:", copy: "Копировать", copied: "Скопировано",
      planning: "Строим маршруты…", simulating: "Моделируем…", enter_places: "Укажите пункты отправления и назначения.",
      n_routes: "{n} маршрутов (Парето) из {o} в {d}.", one_route: "1 маршрут из {o} в {d}.",
      unknown_place: "Неизвестный пункт «{q}».", did_you_mean: "Возможно, вы имели в виду", days: "сут", legs: "плеч",
      cost: "Стоимость", emissions: "Выбросы", distance: "Расстояние", p50: "P50", p90: "P90",
      alternative: "альтернатива", fastest: "быстрейший", cheapest: "дешевейший", lowest_co2e: "min CO₂e", balanced: "сбалансированный", most_reliable: "надёжнейший",
      leg_list: "Плечи и остановки", wait: "ожидание", dwell: "стоянка", running: "в пути", intensity: "г CO₂e/ткм",
      mode_rail: "Ж/д", mode_sea: "Море", mode_road: "Авто", straight: "прямая линия (нет трассы в данных)",
      schematic: "схематичная трасса (не реальный ход пути)",
      scenario: "Сценарий", base: "База", compare: "Сравнить с базой", comparing: "Сравниваем…",
      scenario_help: "Сценарий меняет сеть (новый причал, линия, расписание, закрытие). Сравните его с базовыми данными.",
      sc_routes: "Маршруты", sc_bottlenecks: "Узкие места", sc_route: "Маршрут", sc_delta: "Изменение", element: "Элемент",
      util_base: "База", util_new: "Сценарий", show_on_map: "Показать загрузку на карте",
      dataset: "Набор данных", places: "пунктов", links: "связей", api_docs: "Документация API", no_dist: "Распределение недоступно; расчётное время {d} сут.",
      util_status: "Загрузка при встроенном годовом спросе{s}; узкие места: {b}.", assigning: "Распределяем годовой спрос…",
      util_unavailable: "Загрузка недоступна: {e}", no_data: "нет данных", share: "доля прогонов", transit_days: "время в пути, сут",
      prob: "вероятность", usd: "USD", above: "{n} прогонов дольше {d} сут не показаны", language: "Язык",
      kind_seaport: "Морской порт", kind_rail_terminal: "Ж/д терминал", kind_dry_port: "Сухой порт", kind_border_post: "Погранпереход",
      kind_junction: "Узел", kind_city: "Город", kind_road_terminal: "Автотерминал",
      op_port_handling: "портовая обработка", op_border_crossing: "пограничный контроль", op_gauge_change: "смена колеи",
      op_transshipment: "перевалка", op_terminal: "терминал", op_marshalling: "сортировка",
      services: "сервисы", tracks: "пути", electrified: "электрифицирована", not_electrified: "не электрифицирована", gauge: "колея",
      reopened: "Сохранённый план {id} открыт.", plan_missing: "Не удалось открыть план {id}: {e}",
      save_unavailable: "Сохранение недоступно на этом сервере: {e}", sc_none: "В наборе данных нет сценариев."
    }
  };
  var lang = "en";

  function t(key, vars) {
    var s = (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key] || key;
    if (vars) { s = s.replace(/\{(\w+)\}/g, function (m, k) { return vars[k] != null ? String(vars[k]) : m; }); }
    return s;
  }

  var regionNames = {};
  function countryName(code, which) {
    var l = which || lang;
    if (!code) { return ""; }
    try {
      regionNames[l] = regionNames[l] || new Intl.DisplayNames([l], { type: "region" });
      return regionNames[l].of(String(code).toUpperCase()) || code;
    } catch (e) { return code; }
  }

  function apply(doc) {
    doc = doc || document;
    if (doc.documentElement) { doc.documentElement.lang = lang; }
    Array.prototype.forEach.call(doc.querySelectorAll("[data-i18n]"), function (el) { el.textContent = t(el.dataset.i18n); });
    Array.prototype.forEach.call(doc.querySelectorAll("[data-i18n-ph]"), function (el) { el.placeholder = t(el.dataset.i18nPh); });
    Array.prototype.forEach.call(doc.querySelectorAll("[data-i18n-title]"), function (el) { el.title = t(el.dataset.i18nTitle); });
    Array.prototype.forEach.call(doc.querySelectorAll("[data-cc]"), function (el) {
      el.textContent = countryName(el.dataset.cc);
      el.title = el.dataset.cc;
    });
  }

  root.KaravanI18n = {
    STRINGS: STRINGS, t: t, apply: apply, countryName: countryName,
    get lang() { return lang; },
    setLang: function (l) { lang = STRINGS[l] ? l : "en"; return lang; },
    locale: function () { return lang === "ru" ? "ru-RU" : "en-US"; }
  };
})(window);
