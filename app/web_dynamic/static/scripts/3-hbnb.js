/* Task 4: + every place, fetched from the API. */
'use strict';

HBNB.listChecked('.amenities');
HBNB.showApiStatus();
HBNB.showPlaces({});
