/* The behaviour of the HBnB pages, loaded before each numbered page script
 * (1-, 2-, 3-, 4-, 100-, 101-hbnb.js), which picks the parts its task adds.
 *
 * The API is called with relative URLs: behind Nginx the page and /api/
 * share one origin, so the site works under any host name without CORS.
 * API data only ever reaches the page as text (textContent, Text nodes),
 * never as markup. */
'use strict';

const HBNB = (() => {
  const API = '/api/v1/';
  const NBSP = '\u00a0';

  async function api (path, options) {
    const response = await fetch(API + path, options);
    if (!response.ok) {
      throw new Error(`${options?.method ?? 'GET'} ${API}${path}: HTTP ${response.status}`);
    }
    return response.json();
  }

  // An element with attributes and children (strings become Text nodes).
  function el (tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  /* Keep the h4 of the filter box `selector` listing the names of its
   * checked boxes, in page order (A→Z). */
  function listChecked (selector) {
    const box = document.querySelector(selector);
    const h4 = box.querySelector('h4');
    const update = () => {
      const names = [...box.querySelectorAll('input[type="checkbox"]:checked')]
        .map((input) => input.dataset.name);
      h4.textContent = names.length ? names.join(', ') : NBSP;
    };
    box.addEventListener('change', update);
    update(); // browsers restore checked boxes when going back to the page
  }

  // The data-id of every checked box named `name` (amenity, state, city).
  function checkedIds (name) {
    return [...document.querySelectorAll(`input[type="checkbox"][name="${name}"]:checked`)]
      .map((input) => input.dataset.id);
  }

  // The places_search body for every kind of checkbox.
  const checkedFilters = () => ({
    states: checkedIds('state'),
    cities: checkedIds('city'),
    amenities: checkedIds('amenity')
  });

  // The header circle turns red while the API answers {"status": "OK"}.
  async function showApiStatus () {
    const circle = document.getElementById('api_status');
    let ok = false;
    try {
      ok = (await api('status/')).status === 'OK';
    } catch (error) {
      console.error(error);
    }
    circle.classList.toggle('available', ok);
  }

  // One request per user, however many places and reviews name them.
  const users = new Map();
  function userName (id) {
    if (!users.has(id)) {
      users.set(id, api(`users/${encodeURIComponent(id)}`)
        .then((user) => [user.first_name, user.last_name].filter(Boolean).join(' '))
        .catch(() => 'unknown user'));
    }
    return users.get(id);
  }

  const plural = (count, word) => `${count} ${word}${count === 1 ? '' : 's'}`;

  // Descriptions use <BR /> for new lines: split on them, keep the rest as text.
  function withLineBreaks (text) {
    return (text ?? '').split(/<br\s*\/?>/i)
      .flatMap((line, index) => index ? [el('br'), line] : [line]);
  }

  function placeArticle (place) {
    const owner = el('div', { class: 'user' }, el('b', {}, 'Owner:'), ' ');
    userName(place.user_id).then((name) => owner.append(name));
    return el('article', {},
      el('div', { class: 'title_box' },
        el('h2', {}, place.name),
        el('div', { class: 'price_by_night' }, `$${place.price_by_night}`)),
      el('div', { class: 'information' },
        el('div', { class: 'max_guest' }, plural(place.max_guest, 'Guest')),
        el('div', { class: 'number_rooms' }, plural(place.number_rooms, 'Bedroom')),
        el('div', { class: 'number_bathrooms' }, plural(place.number_bathrooms, 'Bathroom'))),
      owner,
      el('div', { class: 'description' }, ...withLineBreaks(place.description)));
  }

  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

  /* Replace the places shown by those matching `filters` (the body of
   * places_search); `decorate(article, place)` may add to each article.
   * Only the latest search is shown, however the answers are ordered. */
  let searches = 0;
  async function showPlaces (filters = {}, decorate = null) {
    const search = ++searches;
    let places;
    try {
      places = await api('places_search/', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(filters)
      });
    } catch (error) {
      console.error(error);
      return;
    }
    if (search !== searches) return;
    const section = document.querySelector('section.places');
    section.querySelectorAll('article').forEach((article) => article.remove());
    for (const place of places.sort(byName)) {
      const article = placeArticle(place);
      if (decorate) decorate(article, place);
      section.append(article);
    }
  }

  // Show every place now, then the places matching `filters()` on Search.
  function searchOnClick (filters, decorate = null) {
    showPlaces({}, decorate);
    document.querySelector('section.filters button')
      .addEventListener('click', () => showPlaces(filters(), decorate));
  }

  const longDate = (stamp) => new Date(`${stamp.slice(0, 19)}Z`)
    .toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });

  function reviewItem (review) {
    const title = el('h3', {}, 'From ');
    userName(review.user_id)
      .then((name) => title.append(`${name} the ${longDate(review.created_at)}`));
    return el('li', {}, title, el('p', {}, review.text));
  }

  // A "show" / "hide" switch that loads the place's reviews when opened.
  function addReviews (article, place) {
    const toggle = el('span', { class: 'toggle', role: 'button', tabindex: '0' }, 'show');
    const list = el('ul');
    article.append(el('div', { class: 'reviews' },
      el('div', { class: 'reviews_title' }, el('h2', {}, 'Reviews'), toggle),
      list));
    let shown = false;
    const flip = async () => {
      shown = !shown;
      toggle.textContent = shown ? 'hide' : 'show';
      if (!shown) {
        list.replaceChildren();
        return;
      }
      try {
        const reviews = await api(`places/${encodeURIComponent(place.id)}/reviews`);
        if (shown) {
          list.replaceChildren(...reviews.sort((a, b) => (a.created_at < b.created_at ? -1 : 1))
            .map(reviewItem));
        }
      } catch (error) {
        console.error(error);
      }
    };
    toggle.addEventListener('click', flip);
    toggle.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        flip();
      }
    });
  }

  return {
    listChecked, checkedIds, checkedFilters, showApiStatus, showPlaces, searchOnClick, addReviews
  };
})();
